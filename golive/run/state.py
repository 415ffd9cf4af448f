"""Replay a run's events into its state. The event log is the truth; this is a view of it.

The engine uses it to resume (what is done, what a person already answered, what is in
doubt); reports and `golive show` use it to say what happened to every item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from golive.record.chain import Event
from golive.record.events import EventType as E


@dataclass
class StepRecord:
    item: str
    phase: str = "main"
    status: str = ""  # last status; "" while started and not finished
    attempts: int = 0
    actor: str | None = None
    reason: str = ""
    exit_code: int | None = None
    duration_s: float | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    outputs: list[int] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # the last step_finished data


@dataclass
class RunState:
    run_id: str = ""
    status: str = "running"
    options: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, StepRecord] = field(default_factory=dict)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # item -> the answer not yet used
    answer_actors: dict[str, str] = field(default_factory=dict)
    # A profile's answers by item and need: one item may hold two (allow a destructive command, and
    # judge its output); each is read by the need it answers, until the step finishes.
    prerecorded: dict[str, dict[str, tuple[dict[str, Any], str]]] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)  # values of non-secret fields
    secret_fields: set[str] = field(default_factory=set)  # set, value never stored
    choices: dict[str, int] = field(default_factory=dict)
    choice_labels: dict[str, str] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)  # item -> service_started data (+ state)
    session: dict[str, Any] = field(default_factory=dict)  # cwd, env, id: the last known shell state
    session_ids: list[str] = field(default_factory=list)
    phase: str = "main"
    rollback_status: str = ""  # "", running, passed, failed
    rollback_reason: str = ""
    paused: dict[str, Any] = field(default_factory=dict)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    warnings: list[str] = field(default_factory=list)
    last_seq: int = 0
    active_s: float = 0.0  # time golive spent on the run, over every start and resume (pauses not counted)
    active_since: datetime | None = None  # a golive process is working on it since then
    last_at: datetime | None = None

    def done(self, item: str) -> bool:
        """Finished for good. A failed step is not: resuming a failed run tries it again."""
        record = self.steps.get(item)
        return record is not None and record.status not in ("", "paused", "in_doubt", "failed")

    @property
    def in_doubt(self) -> list[StepRecord]:
        return [r for r in self.steps.values() if r.status == ""]


def replay(events: list[Event]) -> RunState:
    state = RunState()
    for e in events:
        apply(state, e)
    return state


def apply(state: RunState, e: Event) -> None:
    d = e.data
    state.last_seq = e.seq
    _count_time(state, e)
    if e.type == E.RUN_STARTED:
        state.run_id = e.run_id
        state.options = d.get("options", {})
        state.started_at = e.at
    elif e.type == E.RUN_RESUMED:
        state.status = "running"
    elif e.type == E.STEP_STARTED and e.item:
        record = state.steps.setdefault(e.item, StepRecord(e.item))
        record.phase = d.get("phase", "main")
        record.status = ""
        record.attempts = d.get("attempt", record.attempts + 1)
        record.started_at = e.at
        record.data = dict(d)
        consent = state.answers.get(e.item, {})
        if consent.get("verb") == "allow":  # it runs with this person's consent to a destructive command
            record.data["allowed_by"] = state.answer_actors.get(e.item, "")
            record.data["allowed_how"] = consent.get("how", "golive confirm --allow")
    elif e.type == E.STEP_FINISHED and e.item:
        record = state.steps.setdefault(e.item, StepRecord(e.item))
        record.phase = d.get("phase", record.phase)
        record.status = d.get("status", "")
        record.actor = e.actor
        record.reason = d.get("reason", "")
        record.exit_code = d.get("exit_code")
        record.duration_s = d.get("duration_s")
        record.finished_at = e.at
        record.outputs = list(d.get("outputs", []))
        record.data = {**record.data, **d}
        if record.started_at is None:
            record.started_at = e.at
        state.answers.pop(e.item, None)
        state.prerecorded.pop(e.item, None)
    elif e.type == E.ANSWER and e.item:
        state.answers[e.item] = dict(d)
        state.answer_actors[e.item] = e.actor or ""
        if d.get("prerecorded"):
            state.prerecorded.setdefault(e.item, {})[str(d.get("need", ""))] = (dict(d), e.actor or "")
        else:
            state.prerecorded.pop(e.item, None)  # a person answered since: theirs is the answer
    elif e.type == E.FIELD_SET:
        name = d.get("name", "")
        if d.get("secret"):
            state.secret_fields.add(name)
        else:
            state.fields[name] = str(d.get("value", ""))
    elif e.type == E.CHOICE_MADE:
        group = d.get("group", e.item or "")
        state.choices[group] = int(d.get("option", 0))
        state.choice_labels[group] = d.get("label", "")
    elif e.type == E.PAUSED:
        state.status = "paused"
        state.paused = {**d, "item": e.item}
    elif e.type == E.SERVICE_STARTED and e.item:
        state.services[e.item] = {**d, "state": "running"}
    elif e.type in (E.SERVICE_STOPPED, E.SERVICE_LEFT) and e.item:
        if e.item in state.services:
            state.services[e.item]["state"] = "stopped" if e.type == E.SERVICE_STOPPED else "left running"
    elif e.type == E.SESSION_STATE:
        state.session = {**state.session, **d}
    elif e.type == E.SESSION_RESTORED:
        state.session_ids.append(d.get("session", ""))
        state.session = {**state.session, "id": d.get("session", "")}
    elif e.type == E.ROLLBACK_STARTED:
        state.phase = "rollback"
        state.rollback_status = "running"
        state.rollback_reason = d.get("reason", "")
    elif e.type == E.ROLLBACK_FINISHED:
        state.rollback_status = d.get("status", "")
    elif e.type == E.RUN_FINISHED:
        state.status = d.get("status", "failed")
        state.finished_at = e.at
    elif e.type == E.WARNING:
        state.warnings.append(d.get("message", ""))


def _count_time(state: RunState, e: Event) -> None:
    """Active time: from each start or resume to the pause or end that follows it (or, after a
    kill -9, to the last event before the resume)."""
    if e.type in (E.RUN_STARTED, E.RUN_RESUMED):
        if state.active_since is not None and state.last_at is not None:
            state.active_s += max(0.0, (state.last_at - state.active_since).total_seconds())
        state.active_since = e.at
    elif e.type in (E.PAUSED, E.RUN_FINISHED) and state.active_since is not None:
        state.active_s += max(0.0, (e.at - state.active_since).total_seconds())
        state.active_since = None
    state.last_at = e.at


def took(state: RunState) -> str:
    """`4 min`, or `4 min (2 h 5 min from start to finish, pauses included)` when it paused a while:
    the terminal and every report say the same."""
    from golive.planview import duration

    active = duration(int(active_seconds(state)))
    end = state.finished_at or state.last_at
    if state.started_at is None or end is None:
        return active
    span = (end - state.started_at).total_seconds()
    if span - active_seconds(state) < 60:
        return active
    return f"{active} ({duration(int(span))} from start to finish, pauses included)"


def active_seconds(state: RunState, now: datetime | None = None) -> float:
    """The run's duration as golive reports it everywhere: time worked, pauses left out."""
    if state.active_since is None:
        return state.active_s
    end = now or state.last_at or state.active_since
    return state.active_s + max(0.0, (end - state.active_since).total_seconds())
