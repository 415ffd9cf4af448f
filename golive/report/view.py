"""What happened to every step of a run, rebuilt from the record alone (never from live objects).

Every report format (md, html, json, junit) and `golive show` render this view.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from golive.errors import InputError
from golive.parse import parse_text
from golive.plan import Kind, Phase, Plan, PlanStep, first_line, plain
from golive.profile.recorded import of_run, plan_with, prerecorded
from golive.record.chain import Event, Output, Run
from golive.record.store import Store
from golive.run.state import RunState, StepRecord, replay
from golive.team import approvals
from golive.team.followups import Status, of_plan
from golive.team.followups import status as followup_status
from golive.team.policy import Policy
from golive.team.policy import policy as policy_of


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


@dataclass(frozen=True)
class ApprovalView:
    """A role the run needs approved, and its decision from the record."""

    role: str
    item: str | None  # the sign-off item that asks for it; None: only the policy does (asked at the end)
    status: str  # approved | rejected | missing | prechecked (ticked in the checklist, not required)
    by: str = ""
    at: datetime | None = None
    note: str = ""  # the comment of an approval, the reason of a rejection


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
    policy: Policy = field(default_factory=Policy)  # the run's sign-off policy (empty: none was set)
    approvals: list[ApprovalView] = field(default_factory=list)  # every role the run needs, in the order asked
    followup_states: list[Status] = field(default_factory=list)  # each follow-up at `at`, as `golive due` sees it
    at: datetime | None = None  # the moment follow-ups are judged at (the report's making)

    @property
    def policy_only(self) -> list[ApprovalView]:
        """The approvals the policy requires that no checklist item asks for."""
        return [a for a in self.approvals if a.item is None]

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(s.status for s in self.steps))

    def by_line(self) -> dict[int, list[StepView]]:
        out: dict[int, list[StepView]] = {}
        for s in self.steps:
            out.setdefault(s.line, []).append(s)
        return out


def build(store: Store, run_ref: str, at: datetime | None = None) -> RunView:
    """The view of a run; follow-ups stand as they do at `at` (now unless given)."""
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
    rules = _policy(plan, profile)
    moment = at or datetime.now(UTC)
    states = [followup_status(run, events, f, moment) for f in of_plan(plan)]
    view = RunView(run, plan, state, steps, followups, len(events), last, shown, events, rules, [], states, moment)
    view.approvals = _approvals(plan, rules, events)
    return view


def _policy(plan: Plan, profile: Any) -> Policy:
    try:
        return policy_of(plan.checklist, profile)
    except InputError:  # a policy this golive reads differently: the report still shows the run
        return Policy()


def _approvals(plan: Plan, rules: Policy, events: list[Event]) -> list[ApprovalView]:
    """Each role of the run's sign-off items, then each the policy alone requires, with its decision."""
    decided = approvals.decisions(events)
    wanted: dict[str, tuple[str, PlanStep | None]] = {}
    for s in plan.steps:
        if s.kind is Kind.SIGNOFF and s.signoff is not None:
            wanted.setdefault(approvals.key(s.signoff.role), (s.signoff.role, s))
    for role in approvals.policy_only(plan, rules):
        wanted.setdefault(approvals.key(role), (role, None))
    out = []
    for k, (role, step) in wanted.items():
        d = decided.get(k)
        item = step.id if step is not None else None
        if d is not None:
            out.append(ApprovalView(role, item, d.decision, d.person, d.at, d.note))
        elif step is not None and step.prechecked and not rules.requires(role):
            out.append(ApprovalView(role, item, "prechecked", note="signed in the checklist itself"))
        else:
            out.append(ApprovalView(role, item, "missing"))
    return out


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
