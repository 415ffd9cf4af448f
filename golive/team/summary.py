"""A sign-off policy before anything runs, for people (`golive plan`) and as data (`plan --json`):
the roles a run needs, who may give each, the rules in words, and where the run stops for them
(a gate: sign-offs placed before production steps), or at the end for a role no item asks for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from golive.plan import Plan
from golive.team import approvals
from golive.team.approvals import Gate
from golive.team.policy import Policy


@dataclass(frozen=True)
class Needed:
    """One approval a run needs, and where it is asked."""

    role: str
    who: str  # who may give it: "alice or bob", "anyone"
    item: str | None  # the sign-off item that asks for it; None: asked at the end of the run
    gate: Gate | None  # the sign-offs it is one of (None: at the end)
    signed: bool = False  # ticked in the checklist itself, and the policy does not require it: not asked

    @property
    def asked(self) -> str:
        if self.signed:
            return "signed in the checklist"
        if self.gate is None:
            return "at the end"
        return "at a gate" if self.gate.held else "after the last step"


def needed(plan: Plan, policy: Policy) -> list[Needed]:
    """Every approval of the run: its sign-off items' (in order), then the policy's own roles."""
    by_id = plan.by_id()
    out: list[Needed] = []
    for gate in approvals.gates(plan):
        for item, role in gate.items:
            signed = by_id[item].prechecked and not policy.requires(role)
            out.append(Needed(role, approvals.who(policy, role), item, gate, signed))
    out += [Needed(role, approvals.who(policy, role), None, None) for role in approvals.policy_only(plan, policy)]
    return out


def to_json(plan: Plan, policy: Policy) -> dict[str, Any] | None:
    """`signoff` of `plan --json`: None without a policy (sign-off items alone are in `items`)."""
    if not policy.explicit:
        return None
    every = needed(plan, policy)
    return {
        "source": policy.source,
        "required": [n.role for n in every if not n.signed],
        "distinct": policy.distinct,
        "not_runner": policy.not_runner,
        "rules": policy.in_words(),
        "roles": [
            {
                "role": n.role,
                "approvers": list(policy.approvers(n.role)),
                "who": n.who,
                "item": n.item,
                "asked": n.asked,
                "gate": n.gate.line if n.gate is not None and n.gate.held else None,
            }
            for n in every
        ],
        "gates": [
            {
                "section": g.section,
                "line": g.line,
                "items": [{"id": item, "role": role} for item, role in g.items],
                "held": len(g.held),
                "first_held": g.held[0],
            }
            for g in approvals.gates(plan)
            if g.held
        ],
        "at_end": [n.role for n in every if n.item is None],
    }


def lines(plan: Plan, policy: Policy) -> list[str]:
    """The policy in a few lines, for the top of `golive plan` ([] without a policy)."""
    if not policy.explicit:
        return []
    every = needed(plan, policy)
    out = [f"sign-off policy ({policy.source}):"]
    out.append("  required: " + ("; ".join(f"{n.role} — {n.who}" for n in every if not n.signed) or "nothing"))
    out += [f"  rule: {rule}" for rule in policy.in_words()]
    for gate in approvals.gates(plan):
        asked = [n for n in every if n.gate == gate and not n.signed]
        roles = _and([f"{n.role} ({n.item})" for n in asked]) or "nothing (signed in the checklist)"
        if gate.held:
            steps = f"the {len(gate.held)} step{'s' if len(gate.held) != 1 else ''} after it (from {gate.held[0]})"
            out.append(f"  gate L{gate.line} {gate.section}: holds {steps} until {roles} approve")
        else:
            out.append(f"  L{gate.line} {gate.section} (after the last step): waits for {roles}")
    for n in every:
        if n.item is None:
            out.append(
                f"  at the end: {n.role} ({n.who}): no sign-off item asks for it; the run does not pass without it"
            )
    return out


def marks(plan: Plan, policy: Policy) -> dict[int, str]:
    """A note on each gate's heading and each sign-off item's line of the plan's tree."""
    if not policy.explicit:
        return {}
    every = needed(plan, policy)
    notes: dict[int, str] = {}
    for gate in approvals.gates(plan):
        if gate.held:
            notes[gate.line] = f"gate: waits for {_and([n.role for n in every if n.gate == gate and not n.signed])}"
    by_id = plan.by_id()
    for n in every:
        if n.item is not None and not n.signed:
            notes[by_id[n.item].line] = f"approved by {n.who}"
    return notes


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1] if words else ""
