"""`golive due [--json] [--at TIME]`: the follow-ups owed across runs, and reminders when they fall due.

Run from cron (`golive due` every hour), it sends each follow-up's reminder once, to the run's
notification services (golive/team/notify.py), and records it in that run. `--at` answers for
another moment, for planning: it lists, and reminds nobody.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from golive.errors import EXIT_PASSED
from golive.record.events import EventType as E
from golive.record.store import Store
from golive.team import followups
from golive.team.followups import Status


def now() -> datetime:
    return datetime.now(UTC)


def due(as_json: bool, at: datetime | None, out: TextIO, clock: Callable[[], datetime] = now) -> int:
    store = Store.open()
    moment = at or clock()
    owed = followups.across(store, moment)
    shown: list[str] = []
    if at is None:  # the present: remind whoever has not been reminded yet
        for s in owed:
            shown.extend(_remind(store, s))
    if as_json:
        out.write(json.dumps({"at": moment.isoformat(), "followups": [s.as_json() for s in owed]}, indent=2) + "\n")
        return EXIT_PASSED
    when = f"{moment:%Y-%m-%d %H:%M} UTC"
    if not owed:
        out.write(f"no follow-up is due at {when}\n")
        return EXIT_PASSED
    out.write(f"{len(owed)} follow-up{'s' if len(owed) != 1 else ''} owed at {when}:\n")
    rows = [("RUN", "FOLLOW-UP", "OWED BY", "DUE", "STATE", "LATE")]
    rows += [
        (
            s.run_id,
            s.followup.name,
            s.owner,
            f"{s.due_at:%Y-%m-%d %H:%M} UTC" if s.due_at else "-",
            s.state,
            followups.late(s.late_s) if s.late_s else "-",
        )
        for s in owed
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.write("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")
    first = owed[-1]  # the oldest
    out.write(f'then: golive followup {first.run_id} "{first.followup.name}"\n')
    for line in shown:
        out.write(f"note: {line}\n")
    return EXIT_PASSED


def _remind(store: Store, s: Status) -> list[str]:
    """One reminder per follow-up: sent unless one went out already (a failed one is tried again)."""
    from golive.team.notify import About, compose, notify_run

    reminded = any(
        e.type == E.NOTIFIED and e.item == s.followup.key and e.data.get("event") == "followup_due"
        for e in store.events(s.run_id)
    )
    if reminded:
        return []
    run = store.run(s.run_id)
    about = About(run.id, run.title, run.env, run.checklist_path, s.owner)
    due_at = f"{s.due_at:%Y-%m-%d %H:%M} UTC" if s.due_at else "-"
    how_late = followups.late(s.late_s) if s.late_s >= 60 else ""
    message = compose("followup_due", about, name=s.followup.name, due=due_at, owner=s.owner, late=how_late)
    return notify_run(store, run.id, message, item=s.followup.key)
