"""`golive run --dry-run`: exactly what would run, fields filled in, and what cannot be simulated."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TextIO

from golive.errors import EXIT_PASSED
from golive.model import CheckSpec, Mode
from golive.parse.hazards import fill
from golive.plan import Kind, Plan, choice_key_matches, chosen_option, is_secret, plain
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
            missing = [n for n in step.needs if n not in values]
            shown = {n: ("***" if is_secret(plan.checklist, n) else v) for n, v in values.items()}
            text = fill(cmd.text, cmd.placeholders, {**shown, **{n: f"<{n}: not given>" for n in missing}})
            prefix = {Mode.OBSERVE: "observe", Mode.SERVICE: "service"}.get(cmd.mode, "run")
            w(f"  {step.id} {prefix}: {text}{given}\n")
            if missing:
                cannot.append(f"{step.id}: needs {', '.join(missing)} (--var NAME=…)")
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
            if step.group.id in chosen:
                picked, how = chosen[step.group.id]
                w(f"  {step.id} chosen: option {picked + 1} ({step.group.labels[picked]}) by {how}\n")
                continue
            w(f"  {step.id} choose one: {' / '.join(step.group.labels)}\n")
            cannot.append(f"{step.id}: a choice between alternatives (--choose '{step.id}=LABEL')")
        elif step.kind is Kind.FIELD and step.field is not None:
            given_value = step.field.name in values
            w(f"  {step.id} field {step.field.name}" + (" (given)\n" if given_value else " (asked)\n"))
        elif step.prechecked:
            w(f"  {step.id} pre-checked: {plain(step.text)}\n")
        elif answer is not None:
            w(f"  {step.id} {answer.answer} by {answer.by}, pre-recorded: {plain(step.text)}\n")
        else:
            w(f"  {step.id} a person confirms: {plain(step.text)}\n")
            cannot.append(f"{step.id}: a person's confirmation")
    w(f"\ncannot be simulated ({len(cannot)}):\n")
    for line in cannot:
        w(f"  - {line}\n")
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
