"""`golive audit verify [RUN]` and `golive audit export RUN`: check a record, or hand it to someone who will."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from golive.errors import EXIT_FAILED, EXIT_PASSED
from golive.record import audit
from golive.record.store import Store


def verify(run_ref: str | None, out: TextIO) -> int:
    """Exit 0 when every run checked is intact; 1 naming, per run, the first bad event and what is wrong."""
    store = Store.open()
    if run_ref:
        run = store.run(run_ref)
        found = {run.id: audit.verify_run(store, run)}
    else:
        found = audit.verify_all(store)
    for run_id, problems in found.items():
        if not problems:
            run = store.run(run_id)
            out.write(f"{run_id}: intact ({run.event_count} events, head {run.last_hash})\n")
            continue
        out.write(f"{run_id}: TAMPERED: {problems[0]}\n")
        for problem in problems[1:]:
            out.write(f"    also: {problem}\n")
    if not found:
        out.write("no runs to verify\n")
    bad = sum(1 for p in found.values() if p)
    if len(found) > 1:
        out.write(f"{len(found) - bad} of {len(found)} runs intact\n")
    return EXIT_FAILED if bad else EXIT_PASSED


def export(run_ref: str, output: str | None, out: TextIO) -> int:
    """The run as JSON lines (docs/audit.md shows how a third party checks them)."""
    store = Store.open()
    run = store.run(run_ref)
    lines = audit.export_lines(store, run)
    if output:
        with Path(output).open("w", encoding="utf-8") as fh:
            fh.writelines(lines)
        out.write(f"{output}\n")
    else:
        out.writelines(lines)
    return EXIT_PASSED
