"""`golive runs` and `golive show RUN`: looking back at what ran."""

from __future__ import annotations

import json
import os
from typing import TextIO

from rich.table import Table

from golive.errors import EXIT_PASSED, InputError, LockHeld
from golive.record.chain import Run
from golive.record.events import EventType as E
from golive.record.store import Store
from golive.report import json as as_json
from golive.report import view as views
from golive.run.console import make_console


def status_of(store: Store, run: Run) -> str:
    """A run's status as people need it: `running` only while a living golive works on it; one whose
    golive was killed (its holder's process is gone, or its lease lapsed) is `interrupted`."""
    if run.status != "running":
        return run.status
    lock = f"{os.path.realpath(run.checklist_path)}::{run.env}"
    return "running" if store.run_is_held(lock, run.id) else "interrupted"


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
                    "status": status_of(store, r),
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
            status_of(store, r),
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
    shown = status_of(store, run) if state.status == "running" else state.status
    console.print(f"[bold]{run.id}[/] {run.title} ({run.checklist_path}, env {run.env}): [bold]{shown}[/]")
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


def abandon(ref: str, reason: str, as_: str | None, out: TextIO) -> int:
    """A run nobody will finish: recorded as abandoned (who, why), its lock released, never resumed."""
    import os

    from golive.run.people import identity
    from golive.run.services import alive
    from golive.run.state import replay

    if not reason.strip():
        raise InputError("--reason is empty", "say why nobody will finish this run; it goes into the record")
    store = Store.open()
    run = store.run(ref)
    if run.status in ("passed", "rolled_back", "aborted", "abandoned"):
        raise InputError(f"run {run.id} already finished ({run.status})", "only an unfinished run is abandoned")
    lock = f"{os.path.realpath(run.checklist_path)}::{run.env}"
    holder = store.lock_holder(lock)
    if holder is not None and holder[0] == run.id and store.run_is_held(lock, run.id):
        raise LockHeld(f"run {run.id} is being run right now ({holder[1]})", "stop it first (Ctrl-C), then abandon it")
    actor = identity(as_)
    store.append(
        run.id,
        E.RUN_FINISHED,
        actor=actor,
        data={"status": "abandoned", "reason": reason.strip(), "by": actor},
        status="abandoned",
        finished=True,
    )
    store.release_lock(lock, run.id)
    from golive.run.shell import remove_run_scratch

    remove_run_scratch(store.home / "runs" / run.id)  # the run is over: what its killed sessions left goes
    out.write(f"{run.id}: abandoned by {actor} ({reason.strip()}); it will never be resumed\n")
    state = replay(store.events(run.id))
    for item, service in state.services.items():
        pid = int(service.get("pid") or 0)
        if service.get("state") == "running" and pid and alive(pid):
            out.write(f"  still running from it: service {item}, pid {pid} (stop it yourself if it should not run)\n")
    return EXIT_PASSED
