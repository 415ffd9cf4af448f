"""What a step can end a run with, shared by the engine and the steps: abort, roll back now, a
service left running; and a person's answers: what a run can wait for, which answers apply to
each, and the stored answer a waiting step reads. Steps import these; they never import the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from golive.plan import Kind, Plan
from golive.run.state import RunState


class Abort(Exception):
    """Stop the run: a person chose to (the run is `aborted`), or a failure with nobody to ask (`failed`)."""

    def __init__(self, message: str, by_person: bool = False) -> None:
        super().__init__(message)
        self.by_person = by_person


class RollbackNow(Exception):
    """Run the rollback section now."""


@dataclass
class Service:
    item: str
    pid: int
    port: int | None
    out: str
    err: str
    how: str


@dataclass(frozen=True)
class Answer:
    verb: str  # confirm skip fail abort yes allow accept retry rollback rerun done leave stop passed failed choose
    reason: str = ""
    value: str = ""
    option: int = -1
    by_option: str = ""  # made by an option (`--manual skip`), not by a person


# What a run can wait for at an item (the `need` of a pause and of a stored answer), and what each
# answer `golive confirm` takes does to it. An answer is stored with the need it answers and only
# the step waiting for that need reads it: one answer, one effect. Any other answer is refused.
ANSWERS: dict[str, dict[str, str]] = {
    "confirm": {"confirm": "confirmed", "skip": "skipped", "fail": "failed"},
    "signoff": {"confirm": "signed off", "fail": "not approved, and the run fails"},
    "accept": {"confirm": "its commands run", "skip": "its commands are skipped"},
    "optional_destructive": {
        "confirm": "it runs, once its destructive command is allowed",
        "allow": "allowed by you, then run",
        "skip": "skipped",
    },
    "destructive": {"allow": "allowed by you, then run", "skip": "skipped"},
    "judge": {"confirm": "passed, judged by you", "fail": "failed, judged by you", "skip": "skipped"},
    "in_doubt": {"done": "counted as completed", "rerun": "run again", "skip": "skipped"},
    "failed": {"done": "confirmed, done by hand", "skip": "skipped", "rerun": "run again"},
    "by_hand": {"done": "confirmed, done by hand", "skip": "skipped", "fail": "failed when you ran it by hand"},
    "command": {"skip": "skipped before it runs"},
    "destructive_command": {"allow": "allowed by you when it runs", "skip": "skipped before it runs"},
    "choice": {"choose": "that option runs, the others never"},
    "session": {"rerun": "run again on resume, to set it again", "skip": "go on without it (later steps see it empty)"},
}

WAITING = {
    "confirm": "a person to confirm it",
    "signoff": "a sign-off",
    "accept": "a person to accept its commands",
    "optional_destructive": "a person to decide whether to run an optional, destructive step",
    "destructive": "consent to a destructive command",
    "judge": "a person to judge its output",
    "in_doubt": "a person to say whether it completed before golive was interrupted",
    "failed": "what follows its failure (resume runs it again)",
    "by_hand": "a person to run it at a terminal",
    "command": "its turn (it has not run yet)",
    "destructive_command": "its turn (a destructive command that has not run yet)",
    "choice": "a choice between alternatives",
    "session": "what it set in the shell, which the resumed session could not restore",
}


def answer_of(state: RunState, item: str, *needs: str) -> tuple[Answer, str] | None:
    """A person's stored answer for `item`, given for one of `needs`, with who gave it."""
    data = state.answers.get(item)
    actor = state.answer_actors.get(item, "")
    if data is None or data.get("need", "") not in needs:
        # A profile may answer two needs of one item (allow it, judge it): the other one counts too.
        kept = state.prerecorded.get(item, {})
        found = next((kept[n] for n in needs if n in kept), None)
        if found is None:
            return None
        data, actor = found
    verb, reason, value = data.get("verb", "confirm"), data.get("reason", ""), data.get("value", "")
    answer = Answer(verb, reason, value, int(data.get("option", -1)))
    return answer, actor


def waiting_for(plan: Plan, state: RunState, item: str) -> tuple[str, str]:
    """What `item` waits for, as a key of ANSWERS and in words; ("", why) when no answer applies."""
    paused_need = state.paused.get("need", "") if state.status == "paused" and state.paused.get("item") == item else ""
    step = plan.step(item)
    if paused_need == "accept" and step is not None and step.command is not None and step.command.destructive:
        paused_need = "optional_destructive"  # run it or not, and consent to it, in one answer
    if paused_need in ANSWERS:
        return paused_need, WAITING[paused_need]
    record = state.steps.get(item)
    if record is not None:
        awaiting = {"": "in_doubt", "failed": "failed", "paused": str(record.data.get("awaiting", ""))}
        need = awaiting.get(record.status, "")
        if need in ANSWERS:
            return need, WAITING[need]
        if state.done(item):
            who = f" by {record.actor}" if record.actor else ""
            return "", f"it is already {record.status.replace('_', ' ')}{who}"
    if step is None:
        block = [s.id for s in (*plan.steps, *plan.rollback) if s.kind is Kind.COMMAND and f"L{s.block}" == item]
        if block and all(state.done(i) for i in block):
            return "", "its commands are done already"
        if block:
            return "accept", WAITING["accept"]
        return "", "no such step"
    if step.kind is Kind.FIELD:
        return "", "it is a field: give its value with `golive set`"
    if step.prechecked:
        return "", "it is ticked in the checklist itself ([x]): nothing to answer"
    if step.kind is Kind.COMMAND:
        need = "destructive_command" if step.command is not None and step.command.destructive else "command"
        return need, WAITING[need]
    need = {Kind.CONFIRM: "confirm", Kind.SIGNOFF: "signoff", Kind.CHOOSE: "choice"}.get(step.kind, "")
    return (need, WAITING[need]) if need else ("", "golive checks it; nobody answers for it")
