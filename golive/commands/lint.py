"""`golive lint FILE…`: problems as `file:line: severity: message`. Exit 1 on errors, 0 on
warnings or notes only, 2 when a file can't be read."""

from __future__ import annotations

from typing import TextIO

from golive import plan as planning
from golive.commands.checklists import load_checklist as load
from golive.errors import EXIT_FAILED, EXIT_PASSED
from golive.lint import lint as find_problems


def lint(paths: list[str], out: TextIO) -> int:
    errors = 0
    for path in paths:
        checklist = load(path)
        findings = find_problems(planning.build(checklist))
        for finding in findings:
            out.write(finding.format(path) + "\n")
        counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "note")}
        errors += counts["error"]
        out.write(f"{path}: {counts['error']} errors, {counts['warning']} warnings, {counts['note']} notes\n")
    return EXIT_FAILED if errors else EXIT_PASSED
