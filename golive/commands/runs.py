"""`golive runs` and `golive show RUN`: looking back at what ran."""

from __future__ import annotations

import json
from typing import TextIO

from rich.table import Table

from golive.errors import EXIT_PASSED
from golive.record.store import Store
from golive.report import json as as_json
from golive.report import view as views
from golive.run.console import make_console


def runs(as_json_: bool, out: TextIO, limit: int = 50) -> int:
    store = Store.open()
    rows = store.runs(limit)
    if as_json_:
        json.dump(
            [
                {
                    "id": r.id,
                    "checklist": r.checklist_path,
                    "title": r.title,
                    "env": r.env,
                    "status": r.status,
                    "started_at": r.started_at.isoformat(),
                    "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                }
                for r in rows
            ],
            out,
            indent=2,
        )
        out.write("\n")
        return EXIT_PASSED
    console = make_console(out)
    table = Table("run", "checklist", "env", "status", "started", "finished", box=None, pad_edge=False)
    for r in rows:
        table.add_row(
            r.id,
            r.checklist_path,
            r.env,
            r.status,
            f"{r.started_at:%Y-%m-%d %H:%M}",
            f"{r.finished_at:%H:%M}" if r.finished_at else "",
        )
    console.print(table if rows else "no runs yet: golive run CHECKLIST.md")
    return EXIT_PASSED


def show(ref: str, as_json_: bool, out: TextIO) -> int:
    store = Store.open()
    view = views.build(store, ref)
    if as_json_:
        json.dump(as_json.render(view), out, indent=2, ensure_ascii=False)
        out.write("\n")
        return EXIT_PASSED
    console = make_console(out)
    run, state = view.run, view.state
    console.print(f"[bold]{run.id}[/] {run.title} ({run.checklist_path}, env {run.env}): [bold]{state.status}[/]")
    if view.profile is not None:
        console.print(f"profile {view.profile.name}: {view.profile.path} (sha256 {view.profile.sha256[:12]})")
    table = Table("step", "section", "status", "who", "what", box=None, pad_edge=False)
    for s in view.steps:
        if s.status == "pending" and state.status != "paused":
            continue
        what = (s.reason or s.text.split("\n")[0])[:70]
        what = f"{s.prerecorded}: {what}" if s.prerecorded else what
        table.add_row(s.id, s.section[:30], s.status, s.actor or "", what)
    console.print(table)
    step = views.paused_step(view)
    if state.status == "paused":
        console.print(f"paused at {step.id if step else '?'}: waiting for {state.paused.get('what', '')}")
        console.print(f"  {state.paused.get('hint', '')}")
        waiting = [s for s in view.steps if s.status == "pending" and s.kind in ("confirm", "signoff")]
        if waiting:
            console.print(f"later steps a person confirms: {', '.join(s.id for s in waiting[:20])}")
    return EXIT_PASSED
