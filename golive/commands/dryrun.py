"""`golive run --dry-run`: exactly what would run, fields filled in, and what cannot be simulated."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TextIO

from golive.errors import EXIT_PASSED
from golive.model import CheckSpec, Mode
from golive.parse.placeholders import fill
from golive.plan import Kind, Plan, choice_key_matches, choice_text, chosen_option, first_line, is_secret, plain
from golive.run.options import RunOptions

if TYPE_CHECKING:
    from golive.profile import Applied


def dry_run(plan: Plan, options: RunOptions, out: TextIO | None, applied: Applied | None = None) -> int:
    w = (out or sys.stdout).write
    values = dict(options.vars)
    cannot: list[str] = []
    answers = {a.step: a for a in applied.answers} if applied is not None else {}
    chosen = _chosen(plan, options, applied)
    w(f"dry run of {plan.checklist.path}: nothing runs, nothing is recorded\n")
    if applied is not None:
        from golive.profile.summary import lines

        values.update({name: "***" for name in applied.profile.spec.secrets})  # read when the run starts
        w("".join(f"{line}\n" for line in lines(applied)))
    section = None
    for step in plan.steps:
        if step.section is not section:
            section = step.section
            w(f"\n## {plain(section.title)}\n")
        answer = answers.get(step.id)
        given = f" (pre-recorded: {answer.answer} by {answer.by})" if answer is not None else ""
        if step.kind is Kind.COMMAND and step.command is not None:
            cmd = step.command
            if cmd.option is not None:
                if cmd.option.group in chosen:
                    picked, how = chosen[cmd.option.group]
                    if picked != cmd.option.index:
                        w(f"  {step.id} not run: option {picked + 1} is chosen ({how})\n")
                        continue
                else:
                    w(f"  {step.id} would run only if option {cmd.option.index + 1} ({cmd.option.label}) is chosen\n")
            if cmd.platform:
                w(f"  {step.id} not run here (written for {cmd.platform})\n")
                continue
            session = dict(step.session)
            missing = [n for n in step.needs if n not in values and n not in session]
            shown = {n: ("***" if is_secret(plan.checklist, n) else v) for n, v in values.items()}
            unknown = {n: f"<{n}: not given>" for n in missing}
            unknown |= {n: f"<{n} from the session, set at L{line}>" for n, line in session.items() if n not in values}
            text = fill(cmd.text, cmd.placeholders, {**shown, **unknown})
            prefix = {Mode.OBSERVE: "observe", Mode.SERVICE: "service"}.get(cmd.mode, "run")
            w(f"  {step.id} {prefix}: {text}{given}\n")
            if missing:
                cannot.append(f"{step.id}: needs {', '.join(missing)} (--var NAME=…)")
            for name, line in session.items():
                if name not in values:
                    cannot.append(f"{step.id}: takes {name} from the session (L{line} sets it when it runs)")
            if step.optional:
                cannot.append(f"{step.id}: optional ({step.optional.strip('()')}): a person decides whether it runs")
            if step.interactive:
                cannot.append(f"{step.id}: interactive: it gets your terminal; without one, you run it yourself")
            if cmd.expectations:
                cannot.append(f"{step.id}: its output is judged against {len(cmd.expectations)} expectation(s)")
            if cmd.mode is Mode.SERVICE:
                cannot.append(f"{step.id}: starts a service; its readiness is only known when it runs")
            if cmd.mode is Mode.OBSERVE:
                cannot.append(f"{step.id}: observed for {options.follow_window_s:g} s when it runs")
            if cmd.destructive and not options.allow_destructive and not (answer and answer.answer == "allow"):
                cannot.append(f"{step.id}: destructive ({cmd.destructive}), asked again")
        elif step.kind is Kind.CHECK and step.check is not None:
            text, missing = filled_check(step.check, values, plan)
            w(f"  {step.id} check: {text}\n")
            if missing:
                cannot.append(f"{step.id}: needs {', '.join(missing)} (--var NAME=…, or set in the session first)")
            cannot.append(f"{step.id}: {step.check.type} check: only a real run knows its result")
        elif step.kind is Kind.CHOOSE and step.group is not None:
            g = step.group
            if g.id in chosen:
                picked, how = chosen[g.id]
                w(f"  {step.id} chosen: option {picked + 1} ({g.labels[picked]}) by {how}\n")
                continue
            if g.choice and g.choice != step.id:
                w(f"  {step.id} {choice_text(g)}: the choice made at {g.choice} applies\n")
                continue
            w(f"  {step.id} {choice_text(g)}\n")
            shared = f", applied to every group of choice {g.choice}" if g.choice else ""
            cannot.append(f"{step.id}: a choice between alternatives (--choose '{step.id}=LABEL'{shared})")
        elif step.kind is Kind.FIELD and step.field is not None:
            given_value = step.field.name in values
            w(f"  {step.id} field {step.field.name}" + (" (given)\n" if given_value else " (asked)\n"))
        elif step.prechecked:
            w(f"  {step.id} pre-checked: {plain(first_line(step.text))}\n")
        elif answer is not None:
            w(f"  {step.id} {answer.answer} by {answer.by}, pre-recorded: {plain(first_line(step.text))}\n")
        else:
            what = "a person confirms the claim" if step.claim else "a person confirms"
            w(f"  {step.id} {what}: {plain(first_line(step.text))}\n")
            if step.content is not None and step.content.placeholders:
                known = dict.fromkeys(p.field for p in step.content.placeholders if p.known)
                w(f"      fields: {', '.join([*(f'{n} (golive fills it)' for n in known), *step.needs])}\n")
            cannot.append(f"{step.id}: a person's confirmation")
    w(f"\ncannot be simulated ({len(cannot)}):\n")
    for reason in cannot:
        w(f"  - {reason}\n")
    return EXIT_PASSED


def filled_check(check: CheckSpec, values: dict[str, str], plan: Plan) -> tuple[str, list[str]]:
    """What a check would check, its variables filled from --var and the environment (secrets as ***)."""
    from golive.checks.base import redact_url
    from golive.checks.template import fill
    from golive.parse.annotations import summary

    missing: list[str] = []

    def lookup(name: str) -> str:
        value = values.get(name, os.environ.get(name))
        if value is None:
            missing.append(name)
            return f"<{name}: not given>"
        return "***" if is_secret(plan.checklist, name) else value

    return redact_url(summary(check.type, fill(check.data, lookup))), missing


def _chosen(plan: Plan, options: RunOptions, applied: Applied | None) -> dict[str, tuple[int, str]]:
    """Group -> (option, how) for the choices --choose and the profile make (the first key that names it)."""
    out: dict[str, tuple[int, str]] = {}
    for step in plan.steps:
        if step.kind is not Kind.CHOOSE or step.group is None:
            continue
        for key, wanted in options.choose.items():
            index = chosen_option(plan, step, wanted) if choice_key_matches(key, step) else None
            if index is not None:
                by_profile = applied is not None and applied.choices.get(key) == wanted
                how = f"profile {applied.profile.name}" if by_profile and applied else f"--choose {key}={wanted}"
                out[step.group.id] = (index, how)
                break
    return out
