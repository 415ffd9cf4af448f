"""Approvals: a named person approves or rejects a sign-off role of a run, under the run's policy.

Every decision is an `approval` event in the run's hash-chained record (role, decision, comment or
reason, how the person was identified, host). The rules are checked before it is recorded, the same
way wherever it comes from (`golive approve` / `reject`, `golive confirm` on a sign-off item, the
runner at the terminal, a profile's pre-recorded answer), and a decision that breaks one is refused
naming the rule:

- unknown role: the role is neither a sign-off item of the checklist nor named by the policy;
- roles: the policy lists who may approve the role, and this person is not among them;
- not_runner: the person runs (started or resumed) this deployment and would approve it;
- distinct: the person already approved another role of this run;
- decided: the role already has its decision (a decision is never replaced; a rejection fails the gate).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from golive.errors import InputError
from golive.plan import Kind, Plan, PlanStep, plain
from golive.record.chain import Event
from golive.record.events import EventType as E
from golive.team.policy import Policy, key

__all__ = ["APPROVED", "REJECTED", "Decision", "Refused", "key"]

APPROVED, REJECTED = "approved", "rejected"


class Refused(InputError):
    """A decision the policy does not allow (exit 2), naming the rule."""

    def __init__(self, rule: str, message: str, hint: str = "") -> None:
        super().__init__(f"refused ({rule}): {message}", hint)
        self.rule = rule


@dataclass(frozen=True)
class Decision:
    role: str
    person: str
    decision: str  # approved | rejected
    note: str  # the comment of an approval, the reason of a rejection
    at: datetime
    seq: int


def decisions(events: Sequence[Event]) -> dict[str, Decision]:
    """Each role's decision (by role key), in the order given."""
    out: dict[str, Decision] = {}
    for e in events:
        if e.type == E.APPROVAL:
            role = str(e.data.get("role", ""))
            decision, note = str(e.data.get("decision", "")), str(e.data.get("note", ""))
            out.setdefault(key(role), Decision(role, e.actor or "", decision, note, e.at, e.seq))
    return out


def runners(events: Sequence[Event]) -> dict[str, str]:
    """Who ran the run (started or resumed it): key -> the name as recorded."""
    out: dict[str, str] = {}
    for e in events:
        if e.type in (E.RUN_STARTED, E.RUN_RESUMED):
            name = str(e.data.get("by") or e.actor or "")
            if name:
                out.setdefault(key(name), name)
    return out


def roles(plan: Plan, policy: Policy) -> list[str]:
    """The run's roles as written: its sign-off items' (in order), then the policy's own."""
    out: dict[str, str] = {}
    for step in plan.steps:
        if step.kind is Kind.SIGNOFF and step.signoff is not None:
            out.setdefault(key(step.signoff.role), step.signoff.role)
    for role in (*policy.required, *policy.roles):
        out.setdefault(key(role), role)
    return list(out.values())


def policy_only(plan: Plan, policy: Policy) -> list[str]:
    """Roles the policy requires that no sign-off item of the checklist asks for: due at the end of the run."""
    items = {key(s.signoff.role) for s in plan.steps if s.kind is Kind.SIGNOFF and s.signoff is not None}
    return [r for r in policy.required if key(r) not in items]


@dataclass(frozen=True)
class Gate:
    """Sign-off items of one section, next to each other in the plan, and the steps they hold back."""

    section: str
    line: int  # the section's heading
    items: tuple[tuple[str, str], ...]  # (step id, role), in order
    held: tuple[str, ...]  # the main steps after them (production): () for sign-offs after the last step


def gates(plan: Plan) -> list[Gate]:
    """Where the run stops for sign-offs, one per section that has them. Steps run in document order
    and a sign-off is never passed over, so sign-offs placed before production steps hold every step
    of the other sections after them."""
    sections: dict[int, list[int]] = {}  # section line -> the indexes of its sign-off steps
    for i, step in enumerate(plan.steps):
        if step.kind is Kind.SIGNOFF and step.signoff is not None:
            sections.setdefault(step.section.line, []).append(i)
    out: list[Gate] = []
    for indexes in sections.values():
        section = plan.steps[indexes[0]].section
        items = tuple((plan.steps[i].id, _role(plan.steps[i])) for i in indexes)
        after = plan.steps[indexes[-1] + 1 :]
        held = tuple(s.id for s in after if s.kind is not Kind.SIGNOFF and s.section is not section)
        out.append(Gate(plain(section.title), section.line, items, held))
    return out


def _role(step: PlanStep) -> str:
    return step.signoff.role if step.signoff is not None else ""


def who(policy: Policy, role: str) -> str:
    """Who may approve `role`, before any run: `alice or bob`, `anyone but whoever runs it`."""
    listed = policy.approvers(role)
    if listed:
        return " or ".join(listed)
    return "anyone but whoever runs the deployment" if policy.not_runner else "anyone"


def item_of(plan: Plan, role: str) -> str | None:
    """The sign-off item that asks for `role` (its first), or None for a role only the policy names."""
    asking = (s for s in plan.steps if s.kind is Kind.SIGNOFF and s.signoff is not None)
    return next((s.id for s in asking if s.signoff is not None and key(s.signoff.role) == key(role)), None)


def violation(
    plan: Plan, policy: Policy, events: Sequence[Event], person: str, role: str, decision: str
) -> Refused | None:
    """Why `person` may not give `decision` for `role` on this run, or None when they may."""
    known = roles(plan, policy)
    written = next((r for r in known if key(r) == key(role)), None)
    if written is None:
        return Refused(
            "unknown role",
            f"{role!r} is not a sign-off role of this run",
            f"its roles: {', '.join(known)}" if known else "this checklist has no sign-off",
        )
    listed = policy.approvers(written)
    if listed and key(person) not in {key(p) for p in listed}:
        return Refused(
            "roles",
            f"{person} is not listed for {written}",
            f"{policy.roles_at or policy.source} lists {', '.join(listed)}",
        )
    ran = runners(events)
    if decision == APPROVED and policy.not_runner and key(person) in ran:
        return Refused(
            "not_runner",
            f"{person} runs this deployment and may not approve it",
            f"{policy.source}: someone else approves {written}",
        )
    if decision == APPROVED and policy.distinct:
        other = next(
            (d for d in decisions(events).values() if d.decision == APPROVED and key(d.person) == key(person)), None
        )
        if other is not None:
            return Refused(
                "distinct",
                f"{person} already approved {other.role}; one person fills one role",
                f"{policy.source}: another person approves {written}",
            )
    earlier = decisions(events).get(key(role))
    if earlier is not None:
        return Refused(
            "decided",
            f"{written} was already {earlier.decision} by {earlier.person}",
            "a decision is never replaced: golive show RUN lists it",
        )
    return None


def awaited(policy: Policy, role: str, events: Sequence[Event]) -> str:
    """Who a run waits for, in words: `QA Lead (alice or bob)`, `QA Lead (anyone but ana, who runs it)`."""
    listed = policy.approvers(role)
    if listed:
        return f"{role} ({' or '.join(listed)})"
    if policy.not_runner:
        ran = runners(events)
        return f"{role} (anyone but {' or '.join(ran.values())}, who runs it)" if ran else role
    return role


def how_identified(as_: str | None) -> str:
    """How `identity()` found the person: what the record says beside the name."""
    if as_:
        return "--as"
    if os.environ.get("GOLIVE_USER"):
        return "GOLIVE_USER"
    return "git user.name or the OS user"


def event_data(role: str, decision: str, note: str, how: str) -> dict[str, str]:
    return {"role": role, "decision": decision, "note": note, "how": how, "host": socket.gethostname()}


def written_role(plan: Plan, policy: Policy, role: str) -> str:
    return next((r for r in roles(plan, policy) if key(r) == key(role)), role)
