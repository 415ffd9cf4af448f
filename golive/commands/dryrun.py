"""`golive run --dry-run`: exactly what would run, fields filled in, and what cannot be simulated."""

from __future__ import annotations

import sys
from typing import TextIO

from golive.errors import EXIT_PASSED
from golive.model import Mode
from golive.parse.placeholders import fill
from golive.plan import Kind, Plan, is_secret, plain
from golive.run.options import RunOptions


def dry_run(plan: Plan, options: RunOptions, out: TextIO | None) -> int:
    w = (out or sys.stdout).write
    values = dict(options.vars)
    cannot: list[str] = []
    w(f"dry run of {plan.checklist.path}: nothing runs, nothing is recorded\n")
    section = None
    for step in plan.steps:
        if step.section is not section:
            section = step.section
            w(f"\n## {plain(section.title)}\n")
        if step.kind is Kind.COMMAND and step.command is not None:
            cmd = step.command
            if cmd.option is not None:
                w(f"  {step.id} would run only if option {cmd.option.index + 1} ({cmd.option.label}) is chosen\n")
            if cmd.platform:
                w(f"  {step.id} not run here (written for {cmd.platform})\n")
                continue
            missing = [n for n in step.needs if n not in values]
            shown = {n: ("***" if is_secret(plan.checklist, n) else v) for n, v in values.items()}
            text = fill(cmd.text, cmd.placeholders, {**shown, **{n: f"<{n}: not given>" for n in missing}})
            prefix = {Mode.OBSERVE: "observe", Mode.SERVICE: "service"}.get(cmd.mode, "run")
            w(f"  {step.id} {prefix}: {text}\n")
            if missing:
                cannot.append(f"{step.id}: needs {', '.join(missing)} (--var NAME=…)")
            if cmd.expectations:
                cannot.append(f"{step.id}: its output is judged against {len(cmd.expectations)} expectation(s)")
            if cmd.mode is Mode.SERVICE:
                cannot.append(f"{step.id}: starts a service; its readiness is only known when it runs")
            if cmd.mode is Mode.OBSERVE:
                cannot.append(f"{step.id}: observed for {options.follow_window_s:g} s when it runs")
            if cmd.destructive and not options.allow_destructive:
                cannot.append(f"{step.id}: destructive ({cmd.destructive}), asked again")
        elif step.kind is Kind.CHOOSE and step.group is not None:
            w(f"  {step.id} choose one: {' / '.join(step.group.labels)}\n")
            cannot.append(f"{step.id}: a choice between alternatives (--choose '{step.id}=LABEL')")
        elif step.kind is Kind.FIELD and step.field is not None:
            given = step.field.name in values
            w(f"  {step.id} field {step.field.name}" + (" (given)\n" if given else " (asked)\n"))
        elif step.prechecked:
            w(f"  {step.id} pre-checked: {plain(step.text)}\n")
        else:
            w(f"  {step.id} a person confirms: {plain(step.text)}\n")
            cannot.append(f"{step.id}: a person's confirmation")
    w(f"\ncannot be simulated ({len(cannot)}):\n")
    for line in cannot:
        w(f"  - {line}\n")
    return EXIT_PASSED
