"""`golive confirm RUN ITEM` and `golive set RUN FIELD=VALUE`: a person answers a paused run.

The answer is an event in the run's record; `golive resume` finds it where the run needs it.
"""

from __future__ import annotations

from typing import TextIO

from golive import plan as planning
from golive.commands.approve import next_step
from golive.errors import EXIT_PASSED, InputError
from golive.parse import parse_text
from golive.parse.shellvars import read_unset_candidates
from golive.plan import Plan, is_secret
from golive.profile.recorded import plan_of_run
from golive.record.chain import Run
from golive.record.events import EventType as E
from golive.record.store import Store
from golive.run.outcomes import ANSWERS, waiting_for
from golive.run.people import identity
from golive.run.state import replay

FINISHED = ("passed", "rolled_back", "aborted", "abandoned")
_FLAG = {"confirm": "no flag", "skip": "--skip REASON", "fail": "--fail REASON", "done": "--done",
         "rerun": "--rerun", "allow": "--allow", "choose": "--choose LABEL"}  # fmt: skip


def _open(ref: str) -> tuple[Store, Run, Plan]:
    """The run and the plan it walks: with its profile applied, as `golive resume` will apply it."""
    store = Store.open()
    run = store.run(ref)
    if run.status in FINISHED:
        raise InputError(f"run {run.id} already finished ({run.status})", "answers only help a run that goes on")
    return store, run, plan_of_run(parse_text(run.checklist_text, run.checklist_path), store.events(run.id))


def confirm(ref: str, item: str, as_: str | None, verb: str, reason: str, choose: str, out: TextIO) -> int:
    """Record a person's answer for what `item` waits for; an answer that cannot apply is refused
    here, with the answers that do (outcomes.ANSWERS), so that every answer accepted takes effect."""
    store, run, plan = _open(ref)
    item = item if item.upper().startswith("L") or not item.isdigit() else f"L{item}"
    item = item[0].upper() + item[1:] if item[:1] == "l" else item
    state = replay(store.events(run.id))
    need, what = waiting_for(plan, state, item)
    if not need:
        raise InputError(f"{item}: {what}", f"golive show {run.id} lists its steps and what the run waits for")
    effects = ANSWERS[need]
    if verb not in effects:
        takes = "; ".join(f"{_FLAG[v]} = {effects[v]}" for v in effects)
        raise InputError(f"{item} waits for {what}: {_FLAG[verb]} does not apply", f"it takes: {takes}")
    if verb in ("skip", "fail") and not reason.strip():
        raise InputError(f"--{verb} needs a reason", "it goes into the record: say why")
    if need == "signoff":  # a sign-off is an approval: the run's policy decides who may give it
        return _signoff(store, run, plan, item, as_, verb, reason, out)
    data: dict[str, object] = {"verb": verb, "reason": reason.strip(), "need": need}
    if verb == "choose":
        data["value"] = _option(plan, item, choose)
    actor = identity(as_)
    then = next_step(store, run.id)  # read before the answer: a waiting run moves on at once
    store.append(run.id, E.ANSWER, item, actor, data)
    out.write(
        f"{run.id} {item}: {effects[verb]} (answer by {actor})" + (f": {reason.strip()}" if reason else "") + "\n"
    )
    out.write(then)
    return EXIT_PASSED


def _signoff(
    store: Store, run: Run, plan: Plan, item: str, as_: str | None, verb: str, reason: str, out: TextIO
) -> int:
    from golive.commands.approve import give
    from golive.team.approvals import APPROVED, REJECTED, how_identified

    step = plan.step(item)
    assert step is not None and step.signoff is not None
    person = identity(as_)
    then = next_step(store, run.id)
    decision = APPROVED if verb == "confirm" else REJECTED
    role = give(store, run, person, step.signoff.role, decision, reason, how_identified(as_))
    out.write(f"{run.id} {item}: {role} {decision} by {person}" + (f": {reason.strip()}" if reason else "") + "\n")
    out.write(then)
    return EXIT_PASSED


def _option(plan: Plan, item: str, label: str) -> str:
    step = plan.step(item)
    assert step is not None and step.group is not None
    if planning.chosen_option(plan, step, label) is None:
        raise InputError(f"{item} has no option {label!r}", f"its options: {' / '.join(step.group.labels)}")
    return label


def set_fields(ref: str, assignments: list[str], as_: str | None, out: TextIO) -> int:
    store, run, plan = _open(ref)
    known = {f.name: f for f in plan.checklist.fields}
    needed = {n for s in (*plan.steps, *plan.rollback) for n in s.needs}
    # A variable a command reads that nothing set: the run pauses naming it (run/commandstep.py).
    needed |= {n for s in (*plan.steps, *plan.rollback) if s.command and s.command.lang == "bash"
               for n in read_unset_candidates(s.command.text)}  # fmt: skip
    actor = identity(as_)
    then = next_step(store, run.id)
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep or not name:
            raise InputError(f"{assignment!r} is not NAME=VALUE", "golive set RUN DEPLOYED_BY=ana")
        if name not in known and name not in needed:
            raise InputError(f"run {run.id} has no field {name}", f"its fields: {', '.join(sorted({*known, *needed}))}")
        secret = is_secret(plan.checklist, name)
        if secret:
            raise InputError(
                f"{name} is a secret and secrets are never stored",
                f"export {name}=… in the shell that runs `golive resume {run.id}`, or pass --var",
            )
        if store.masker.data({"value": value})["value"] != value:
            # The record would keep *** for it and a resume would ask again: say so now, keep nothing.
            raise InputError(
                f"the value given for {name} looks like a secret (golive would mask it), and {name} is not one",
                f"export {name}=… in the shell that runs `golive resume {run.id}`, or pass --var; "
                "a false positive can be allowed back with GOLIVE_ALLOW_SECRETS (docs/secrets.md)",
            )
        store.append(
            run.id, E.FIELD_SET, name, actor, {"name": name, "value": value, "secret": False, "how": "golive set"}
        )
        out.write(f"{run.id}: {name} = {value} (by {actor})\n")
    out.write(then)
    return EXIT_PASSED
