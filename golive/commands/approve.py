"""`golive approve RUN --as NAME --role ROLE` and `golive reject RUN --as NAME --role ROLE --reason R`.

From any terminal on any machine that reaches the store: the decision is an event in the run's
record, checked against the run's policy first (team/approvals.py). A run waiting at the gate
continues by itself (team/wait.py); a paused one continues with `golive resume`.
"""

from __future__ import annotations

from typing import TextIO

from golive.errors import EXIT_PASSED, InputError
from golive.parse import parse_text
from golive.plan import Plan
from golive.record.chain import Run
from golive.record.events import EventType as E
from golive.record.store import Store
from golive.run.people import identity
from golive.team import approvals
from golive.team.policy import Policy, policy

FINISHED = ("passed", "failed", "rolled_back", "aborted", "abandoned")


def approve(ref: str, as_: str | None, role: str, comment: str, out: TextIO) -> int:
    return _decide(ref, as_, role, approvals.APPROVED, comment, out)


def reject(ref: str, as_: str | None, role: str, reason: str, out: TextIO) -> int:
    if not reason.strip():
        raise InputError("--reason is empty", "a rejection goes into the record: say why")
    return _decide(ref, as_, role, approvals.REJECTED, reason, out)


def of_run(store: Store, run: Run) -> tuple[Plan, Policy]:
    """The plan and policy a run was started with (its checklist text, its recorded profile)."""
    from golive.profile.recorded import of_run as profile_of
    from golive.profile.recorded import plan_with

    checklist = parse_text(run.checklist_text, run.checklist_path)
    profile = profile_of(store.events(run.id))
    return plan_with(checklist, profile), policy(checklist, profile)


def give(store: Store, run: Run, person: str, role: str, decision: str, note: str, how: str) -> str:
    """Check a decision against the run's policy and record it; returns the role as the run writes it."""
    if run.status in FINISHED:
        raise InputError(f"run {run.id} already finished ({run.status})", "a decision only helps a run that goes on")
    plan, rules = of_run(store, run)
    refused = approvals.violation(plan, rules, store.events(run.id), person, role, decision)
    if refused is not None:
        raise refused
    written = approvals.written_role(plan, rules, role)
    data = approvals.event_data(written, decision, note.strip(), how)
    store.append(run.id, E.APPROVAL, approvals.item_of(plan, written), person, data)
    return written


def _decide(ref: str, as_: str | None, role: str, decision: str, note: str, out: TextIO) -> int:
    store = Store.open()
    run = store.run(ref)
    person = identity(as_)
    then = next_step(store, run.id)  # read before the decision: a waiting run moves on at once
    written = give(store, run, person, role, decision, note, approvals.how_identified(as_))
    said = f": {note.strip()}" if note.strip() else ""
    out.write(f"{run.id}: {written} {decision} by {person}{said}\n")
    from golive.team.notify import notify_approval  # apprise only when the run has somewhere to send

    for problem in notify_approval(store, run.id, written, person, decision == approvals.APPROVED, note.strip()):
        out.write(f"  {problem}\n")  # a notification that did not go out: recorded, shown, never fatal
    out.write(then)
    return EXIT_PASSED


def next_step(store: Store, run_id: str) -> str:
    """What will follow an answer: a run that waits for one continues by itself; any other, `golive resume`."""
    last = next(e for e in reversed(store.events(run_id)) if e.type not in (E.APPROVAL, E.ANSWER, E.FIELD_SET))
    if last.type == E.PAUSED and last.data.get("waiting"):
        return f"run {run_id} is waiting for answers: it continues by itself\n"
    return f"then: golive resume {run_id}\n"
