"""What a profile changes, for people (`plan --profile`, `run --dry-run`) and as data (`plan --json`)."""

from __future__ import annotations

from typing import Any

from golive.plan import Plan, choice_steps, chosen_option
from golive.profile.apply import Applied


def to_json(applied: Applied) -> dict[str, Any]:
    p, spec = applied.profile, applied.profile.spec
    return {
        "name": p.name,
        "path": p.path,
        "sha256": p.sha256,
        "description": spec.description,
        "allow_prerecorded": spec.allow_prerecorded,
        "variables": dict(spec.variables),
        "secrets": {name: {"env": ref.env} for name, ref in spec.secrets.items()},
        "choices": [
            {"key": key, "label": label, "steps": chosen(applied.plan, key, label)}
            for key, label in spec.choices.items()
        ],
        "answers": [
            {"item": a.step, "answer": a.answer, "by": a.by, "reason": a.reason, "profile_line": a.line}
            for a in applied.answers
        ],
        "rewrites": [
            {"kind": r.kind, "from": r.old, "to": r.new, "lines": lines} for r, lines in applied.rewrites.items()
        ],
        "checks": [{"after": c.after, "check": c.raw, "profile_line": c.line} for c in applied.checks],
        "apply": [
            {"item": a.step, "file": a.file, "how": a.how, "by": a.by, "profile_line": a.line} for a in applied.applies
        ],
        "path_prefix": list(applied.setup().path_prefix),
        "env": dict(spec.env),
        "prelude": spec.prelude,
    }


def chosen(plan: Plan, key: str, label: str) -> list[dict[str, Any]]:
    """Which option each choice a key names gets."""
    out = []
    for step in choice_steps(plan, key):
        index = chosen_option(plan, step, label)
        assert step.group is not None and index is not None  # validated when the profile was applied
        out.append({"step": step.id, "option": index + 1, "label": step.group.labels[index]})
    return out


def lines(applied: Applied) -> list[str]:
    """The profile's effect, one line per thing it does."""
    p, spec = applied.profile, applied.profile.spec
    out = [
        f"profile {p.name}: {p.path} (sha256 {p.sha256[:12]})" + (f": {spec.description}" if spec.description else "")
    ]
    for rule, where in applied.rewrites.items():
        at = ", ".join(f"L{n}" for n in where[:12]) + (" …" if len(where) > 12 else "") if where else "nothing"
        out.append(f"  rewrite {rule.kind}: {rule.old} → {rule.new}  (rewrote {at})")
    for name, value in spec.variables.items():
        out.append(f"  variable {name} = {value}")
    for name, ref in spec.secrets.items():
        out.append(f"  secret {name} = *** (from ${ref.env} when the run starts)")
    for key, label in spec.choices.items():
        picks = ", ".join(f"{c['step']} option {c['option']} ({c['label']})" for c in chosen(applied.plan, key, label))
        out.append(f"  choice {key} = {label}: {picks}")
    groups: dict[tuple[str, str, str], list[str]] = {}
    for a in applied.answers:
        groups.setdefault((a.answer, a.by, a.reason), []).append(a.step)
    for (answer, by, reason), steps in groups.items():
        items = ", ".join(steps[:10]) + (f" … ({len(steps)} items)" if len(steps) > 10 else "")
        out.append(f"  pre-recorded: {answer} by {by}" + (f" ({reason})" if reason else "") + f": {items}")
    for c in applied.checks:
        out.append(f"  check after {c.after}: {c.raw}")
    for t in applied.applies:
        out.append(f"  apply {t.step} to {t.file} ({t.how}) by {t.by}")
    setup = applied.setup()
    for entry in setup.path_prefix:
        out.append(f"  PATH starts with {entry}")
    for name, value in spec.env.items():
        out.append(f"  environment {name}={value}")
    if spec.prelude.strip():
        out.append(f"  prelude: {' ; '.join(line for line in spec.prelude.strip().splitlines())}")
    return out


def marks(applied: Applied) -> dict[int, str]:
    """A note per source line the profile changes: rewritten, chosen or not, answered in advance."""
    notes: dict[int, list[str]] = {}
    for rule, where in applied.rewrites.items():
        for line in where:
            notes.setdefault(line, []).append(f"rewritten ({rule.kind})")
    plan = applied.plan
    for key, label in applied.profile.spec.choices.items():
        for step in choice_steps(plan, key):
            index = chosen_option(plan, step, label)
            assert step.group is not None and index is not None
            for s in (*plan.steps, *plan.rollback):
                option = s.command.option if s.command is not None else None
                if option is not None and option.group == step.group.id:
                    runs = option.index == index
                    notes.setdefault(s.line, []).append(
                        "chosen by the profile" if runs else f"not run: the profile chose {step.group.labels[index]}"
                    )
    for a in applied.answers:
        answered = plan.step(a.step)
        if answered is not None:
            notes.setdefault(answered.line, []).append(f"pre-recorded: {a.answer} by {a.by}")
    for t in applied.applies:
        block = plan.step(t.step)
        if block is not None:
            notes.setdefault(block.line, []).append(f"applied to {t.file} by golive for {t.by}")
    return {line: "; ".join(dict.fromkeys(n)) for line, n in notes.items()}
