"""What happened to every step of a run, rebuilt from the record alone (never from live objects).

Every report format (md, html, json, junit) and `golive show` render this view.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from golive.parse import parse_text
from golive.plan import Kind, Phase, Plan, PlanStep, first_line, plain
from golive.profile.recorded import of_run, plan_with, prerecorded
from golive.record.chain import Event, Output, Run
from golive.record.store import Store
from golive.run.state import RunState, StepRecord, replay


@dataclass
class StepView:
    id: str
    line: int
    end_line: int  # the block's closing fence for commands
    phase: str
    kind: str  # command | confirm | field | signoff | choose
    section: str
    section_line: int
    text: str
    status: str  # passed failed confirmed prechecked observed set skipped not_run paused in_doubt pending
    reason: str = ""
    actor: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_s: float | None = None
    exit_code: int | None = None
    attempts: int = 0
    outputs: list[Output] = field(default_factory=list)
    role: str = ""
    block: int = 0
    field_value: str = ""  # fields: the value (*** when secret)
    allowed_by: str = ""  # a destructive command: who consented, and how ("Ana (at the terminal)")
    measured: dict[str, Any] = field(default_factory=dict)  # checks: what was measured
    facts: list[tuple[bool, str]] = field(default_factory=list)  # checks: each expectation, judged
    prerecorded: str = ""  # "pre-recorded by profile rehearsal (3f2a9c01b7de)" when a profile answered for it
    message: str = ""  # a message block: the text as the person was asked to send it (its fields filled)


@dataclass(frozen=True)
class ProfileView:
    """The environment profile a run applied, as its record names it."""

    name: str
    path: str
    sha256: str


@dataclass
class RunView:
    run: Run
    plan: Plan
    state: RunState
    steps: list[StepView]
    followups: list[StepView]
    events: int
    last_hash: str
    profile: ProfileView | None = None
    log: list[Event] = field(default_factory=list)  # the record itself: notifications, follow-ups closed

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(s.status for s in self.steps))

    def by_line(self) -> dict[int, list[StepView]]:
        out: dict[int, list[StepView]] = {}
        for s in self.steps:
            out.setdefault(s.line, []).append(s)
        return out


def build(store: Store, run_ref: str) -> RunView:
    run = store.run(run_ref)
    events = store.events(run.id)
    state = replay(events)
    profile = of_run(events)
    plan = plan_with(parse_text(run.checklist_text, run.checklist_path), profile)
    outputs: dict[int, Output] = {o.id: o for o in store.outputs(run.id)}
    marks = prerecorded(events)
    steps = [_view(s, state, outputs, marks) for s in (*plan.steps, *plan.rollback)]
    steps = [s for s in steps if s.phase != Phase.ROLLBACK.value or s.status != "pending" or state.phase == "rollback"]
    followups = [_view(s, state, outputs, marks) for s in plan.followups]
    shown = ProfileView(profile.name, profile.path, profile.sha256) if profile is not None else None
    last = events[-1].hash if events else ""
    return RunView(run, plan, state, steps, followups, len(events), last, shown, events)


def _view(step: PlanStep, state: RunState, outputs: dict[int, Output], marks: dict[str, str]) -> StepView:
    record: StepRecord | None = state.steps.get(step.id)
    status = "pending"
    if record is not None:
        status = record.status or "in_doubt"
    if status == "pending" and state.status == "paused" and state.paused.get("item") == step.id:
        status = "paused"
    value = ""
    if step.field is not None:
        name = step.field.name
        value = "***" if name in state.secret_fields else state.fields.get(name, "")
    end_line = step.command.end_line if step.command else step.line
    data: dict[str, Any] = record.data if record else {}
    return StepView(
        id=step.id,
        line=step.line,
        end_line=end_line,
        phase=step.phase.value,
        kind=step.kind.value,
        section=plain(step.section.title),
        section_line=step.section.line,
        text=data.get("command")
        or data.get("check")
        or (plain(first_line(step.text)) if step.kind not in (Kind.COMMAND, Kind.CHECK) else step.text),
        status=status,
        reason=record.reason if record else "",
        actor=record.actor if record else None,
        started_at=record.started_at if record else None,
        finished_at=record.finished_at if record else None,
        duration_s=record.duration_s if record else None,
        exit_code=record.exit_code if record else None,
        attempts=record.attempts if record else 0,
        outputs=[outputs[i] for i in (record.outputs if record else []) if i in outputs],
        role=step.signoff.role if step.signoff else "",
        block=step.block,
        field_value=value,
        allowed_by=_consent(data),
        measured=dict(data.get("measured") or {}),
        facts=[(bool(ok), str(text)) for ok, text in data.get("facts") or []],
        prerecorded=marks.get(step.id, ""),
        message=str(data.get("message") or ""),
    )


def _consent(data: dict[str, Any]) -> str:
    who = str(data.get("allowed_by") or "")
    how = str(data.get("allowed_how") or "")
    return f"{who} ({how})" if who and how else who


def paused_step(view: RunView) -> StepView | None:
    """The step a paused run waits at (the first step not yet done when the pause names none)."""
    if view.state.status != "paused":
        return None
    item = view.state.paused.get("item")
    return next((s for s in view.steps if s.id == item or (item is None and s.status == "pending")), None)
