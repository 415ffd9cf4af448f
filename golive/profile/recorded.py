"""A profile in a run's record: what a run keeps of it, and how a resume and the reports find it.

The run-started event holds the profile's path, name, sha256, text and `${NAME}` values (a
profile holds no secret). Each pre-recorded answer is an `answer` event in the named person's
name, marked with the profile that gave it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from golive import plan as planning
from golive.errors import GoliveError, InputError
from golive.model import Checklist
from golive.plan import Plan
from golive.profile.apply import Applied, apply
from golive.profile.load import LoadedProfile, from_record
from golive.record.chain import Event
from golive.record.events import EventType as E


def answer_events(applied: Applied) -> list[tuple[str, str, dict[str, Any]]]:
    """(item, who, data) of each pre-recorded answer, to append when the run starts."""
    return [
        (
            a.step,
            a.by,
            {
                "verb": a.verb,
                "need": a.need,
                "reason": a.reason,
                "how": f"pre-recorded by {applied.profile.label}",
                "prerecorded": applied.profile.label,
                "profile_line": a.line,
            },
        )
        for a in applied.answers
    ]


def of_run(events: Sequence[Event]) -> LoadedProfile | None:
    """The profile a run started with, or None."""
    started = next((e for e in events if e.type == E.RUN_STARTED), None)
    data = started.data.get("profile") if started is not None else None
    return from_record(data) if data else None


def plan_of_run(checklist: Checklist, events: Sequence[Event]) -> Plan:
    """The plan a run walks: its checklist with the profile it started with applied, so the steps and
    lines a profile made (its checks, its secret fields) are there for `confirm`, `set` and reports."""
    return plan_with(checklist, of_run(events))


def plan_with(checklist: Checklist, profile: LoadedProfile | None) -> Plan:
    """The plan of `checklist` with `profile` applied, as when the run walked it."""
    if profile is None:
        return planning.build(checklist)
    try:
        return apply(profile, checklist).plan
    except GoliveError:  # a profile this golive reads differently: step ids are lines all the same
        return planning.build(checklist)


def unchanged(profile: LoadedProfile, run_id: str, rollback: bool = False) -> str:
    """A resumed run applies the profile it started with, so the file must still say the same: a resume
    is refused otherwise. A rollback is not (it undoes the run as it was done): it gets a note to show."""
    path = Path(profile.path)
    try:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        sha = ""
    if sha == profile.sha256:
        return ""
    then = profile.sha256[:12]
    what = (
        f"profile {path} changed since run {run_id} started with it (sha256 {then}… then, {sha[:12]}… now)"
        if sha
        else f"run {run_id} started with profile {profile.name} from {path}, which is gone"
    )
    if rollback:
        return f"note: {what}; the rollback applies the profile as the run recorded it"
    raise InputError(
        what,
        "restore it as it was to resume this run with the same profile, or start a new run with the new one",
    )


def prerecorded(events: Sequence[Event]) -> dict[str, str]:
    """Step -> how its answer was pre-recorded, for the answers a step actually used."""
    waiting: dict[str, Event] = {}
    used: dict[str, str] = {}
    for e in events:
        if e.item is None:
            continue
        if e.type == E.ANSWER:
            if e.data.get("prerecorded"):
                waiting[e.item] = e
            else:
                waiting.pop(e.item, None)  # a person answered since: theirs is the answer used
        elif e.type == E.STEP_FINISHED and e.item in waiting:
            answer = waiting.pop(e.item)
            mark = f"pre-recorded by {answer.data['prerecorded']}"
            # An answer that did not decide the result (allowing a destructive command) says whose it was.
            used[e.item] = mark if e.actor == answer.actor else f"{answer.data.get('verb')} by {answer.actor}, {mark}"
    return used
