"""Follow-ups: what a deployment owes after it finished (Day 1, Week 1, Month 1, T+1 hour, First 24 Hours…).

The parser marks them (parse/sections.py: a follow-up section and its `Due`; an item among the steps
such as "Monitor First 24 Hours"); the plan keeps their steps apart (`Plan.followups`). Here they are
grouped, one follow-up per section (or per item written among the steps), each due at an offset after
the run finished (`Month 1` a calendar month), and their state is read from the run's record:
`golive followup` records FOLLOWUP_STARTED, the steps, then FOLLOWUP_CLOSED.

Only a run that passed owes follow-ups: a failed or rolled-back deployment did not go live.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from golive.errors import InputError
from golive.model import Due, Section
from golive.plan import Plan, PlanStep, first_line, plain
from golive.record.events import EventType as E

MAX_GRACE = timedelta(days=1)


@dataclass(frozen=True)
class FollowUp:
    key: str  # "L612": its section's line, or its item's (the record's `item` for its events)
    name: str  # "Week 1", "Immediate (T+1 hour)", "Monitor First 24 Hours"
    due: Due | None  # None: a follow-up section whose title says no time
    steps: tuple[PlanStep, ...]

    def due_at(self, finished: datetime) -> datetime | None:
        return self.due.at(finished) if self.due is not None else None

    def overdue_at(self, finished: datetime) -> datetime | None:
        """Overdue once late by its own offset, at most a day: T+1 hour at 2 h, Day 1 at 2 days, Week 1 at 8."""
        at = self.due_at(finished)
        if at is None:
            return None
        return at + min(at - finished, MAX_GRACE)


@dataclass(frozen=True)
class Status:
    """A follow-up of one run at one moment."""

    run_id: str
    title: str
    checklist: str
    env: str
    owner: str  # who owes it: the run's lead (who started it)
    followup: FollowUp
    due_at: datetime | None
    state: str  # upcoming, due, overdue, in progress, failed, closed, no due time; not owed (the run did not pass)
    late_s: float  # how late at that moment (0 when not yet due)
    closed_by: str = ""
    closed_at: datetime | None = None
    reason: str = ""

    @property
    def owed(self) -> bool:
        return self.state in ("due", "overdue", "in progress", "failed")

    def as_json(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "title": self.title,
            "checklist": self.checklist,
            "env": self.env,
            "followup": self.followup.name,
            "item": self.followup.key,
            "owner": self.owner,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "state": self.state,
            "late_s": round(self.late_s),
            "closed_by": self.closed_by or None,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "reason": self.reason or None,
            "steps": [s.id for s in self.followup.steps],
        }


def of_plan(plan: Plan) -> list[FollowUp]:
    """The plan's follow-up steps as follow-ups, in the order written."""
    dues = _section_dues(plan)
    groups: dict[str, tuple[str, Due | None, list[PlanStep]]] = {}
    item_groups: dict[int, str] = {}  # steps of one item share its Due: grouped by that object
    for step in sorted(plan.followups, key=lambda s: s.line):
        due: Due | None
        if step.due is not None:
            key = item_groups.setdefault(id(step.due), step.id)
            name, due = plain(first_line(step.text)).removesuffix(" …"), step.due
        else:
            section, due = dues.get(step.section.line, (step.section, step.section.due))
            key, name = section.id, plain(section.title)
        groups.setdefault(key, (name, due, []))[2].append(step)
    return [FollowUp(key, name, due, tuple(steps)) for key, (name, due, steps) in groups.items()]


def _section_dues(plan: Plan) -> dict[int, tuple[Section, Due | None]]:
    """Each section's follow-up: its own due, or the enclosing section's ("Week 1" > "### Checks")."""
    out: dict[int, tuple[Section, Due | None]] = {}

    def visit(section: Section, inherited: tuple[Section, Due] | None) -> None:
        own = (section, section.due) if section.due is not None else inherited
        if own is not None:
            out[section.line] = own
        for child in section.sections:
            visit(child, own)

    for s in plan.checklist.sections:
        visit(s, None)
    return out


def schedule(plan: Plan, finished: datetime | None) -> list[str]:
    """`Day 1 at 2026-12-01 10:02 UTC`, one per follow-up: what a passed run's message tells the team."""
    if finished is None:
        return []
    out = []
    for f in of_plan(plan):
        at = f.due_at(finished)
        out.append(f"{f.name} at {at:%Y-%m-%d %H:%M} UTC" if at else f.name)
    return out


def find(followups: Sequence[FollowUp], name: str) -> FollowUp:
    """By its name ("Week 1", any case), its line ("L612"), or a piece of its name found in one only."""
    wanted = name.strip().lower()
    exact = [f for f in followups if f.name.lower() == wanted or f.key.lower() == wanted]
    found = exact or [f for f in followups if wanted and wanted in f.name.lower()]
    if len(found) == 1:
        return found[0]
    names = ", ".join(f'"{f.name}" ({f.key})' for f in followups) or "none"
    if not found:
        raise InputError(f"no follow-up {name!r}", f"its follow-ups: {names}")
    raise InputError(f"{name!r} names {len(found)} follow-ups", f"say which: {names}")


def status(run: Any, events: Sequence[Any], followup: FollowUp, at: datetime) -> Status:
    """One follow-up of a run at `at`: from the run's finish and the record's follow-up events."""
    finished = run.finished_at
    due_at = followup.due_at(finished) if finished else None
    started = closed = None
    for e in events:
        if e.item == followup.key and e.type == E.FOLLOWUP_STARTED:
            started = e
        elif e.item == followup.key and e.type == E.FOLLOWUP_CLOSED:
            closed = e
    late = max(0.0, (at - due_at).total_seconds()) if due_at else 0.0
    base = dict(run_id=run.id, title=run.title, checklist=run.checklist_path, env=run.env, owner=run.created_by)
    if run.status != "passed" or finished is None:  # a deployment that did not go live owes nothing
        return Status(**base, followup=followup, due_at=None, state="not owed", late_s=0.0)
    if closed is not None and (started is None or closed.seq > started.seq):
        state = "closed" if closed.data.get("status") == "passed" else "failed"
        return Status(
            **base,
            followup=followup,
            due_at=due_at,
            state=state,
            late_s=0.0 if state == "closed" else late,
            closed_by=closed.actor or "",
            closed_at=closed.at,
            reason=str(closed.data.get("reason", "")),
        )
    if started is not None:
        state = "in progress"
    elif due_at is None:
        state = "no due time"
    elif at < due_at:
        state = "upcoming"
    else:
        overdue = followup.overdue_at(finished)
        state = "overdue" if overdue is not None and at >= overdue else "due"
    return Status(**base, followup=followup, due_at=due_at, state=state, late_s=late)


def of_run(run: Any, events: Sequence[Any], plan: Plan, at: datetime) -> list[Status]:
    """Every follow-up of a run at `at`; none unless the run passed."""
    if run.status != "passed" or run.finished_at is None:
        return []
    return [status(run, events, f, at) for f in of_plan(plan)]


def across(store: Any, at: datetime, limit: int = 10_000) -> list[Status]:
    """Follow-ups owed at `at` across every run that passed, the latest due first."""
    from golive.parse import parse_text
    from golive.profile.recorded import plan_of_run

    out: list[Status] = []
    for run in store.runs(limit):
        if run.status != "passed" or run.finished_at is None:
            continue
        events = store.events(run.id)
        plan = plan_of_run(parse_text(run.checklist_text, run.checklist_path), events)  # as it ran
        out.extend(s for s in of_run(run, events, plan, at) if s.owed)
    return sorted(out, key=lambda s: (s.due_at or at, s.run_id), reverse=True)


def late(seconds: float) -> str:
    """`2 d 3 h`, `45 min`: how late, as people say it."""
    s = int(seconds)
    if s < 60:
        return f"{s} s"
    d, rest = divmod(s, 86400)
    h, rest = divmod(rest, 3600)
    m = rest // 60
    parts = [f"{d} d"] if d else []
    if h:
        parts.append(f"{h} h")
    if m and not d:
        parts.append(f"{m} min")
    return " ".join(parts) or "0 min"
