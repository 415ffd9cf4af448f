"""`golive confirm RUN ITEM` and `golive set RUN FIELD=VALUE`: a person answers a paused run.

The answer is an event in the run's record; `golive resume` finds it where the run needs it.
"""

from __future__ import annotations

from typing import TextIO

from golive import plan as planning
from golive.errors import EXIT_PASSED, InputError
from golive.parse import parse_text
from golive.plan import Kind, Plan, is_secret
from golive.record.chain import Run
from golive.record.events import EventType as E
from golive.record.store import Store
from golive.run.people import identity

FINISHED = ("passed", "rolled_back", "aborted")


def _open(ref: str) -> tuple[Store, Run, Plan]:
    store = Store.open()
    run = store.run(ref)
    if run.status in FINISHED:
        raise InputError(f"run {run.id} already finished ({run.status})", "answers only help a run that goes on")
    return store, run, planning.build(parse_text(run.checklist_text, run.checklist_path))


def confirm(ref: str, item: str, as_: str | None, verb: str, reason: str, choose: str, out: TextIO) -> int:
    store, run, plan = _open(ref)
    item = item if item.upper().startswith("L") or not item.isdigit() else f"L{item}"
    item = item[0].upper() + item[1:] if item[:1] == "l" else item
    steps = plan.by_id()
    blocks = {f"L{s.block}" for s in (*plan.steps, *plan.rollback) if s.block}
    if item not in steps and item not in blocks:
        raise InputError(f"run {run.id} has no step {item}", f"golive show {run.id} lists its steps")
    step = steps.get(item)
    if choose and (step is None or step.kind is not Kind.CHOOSE):
        raise InputError(
            f"{item} is not a block of alternatives", "--choose answers the line that `golive plan` shows as a choice"
        )
    data: dict[str, object] = {"verb": "choose" if choose else verb, "reason": reason}
    if choose:
        data["value"] = choose
    actor = identity(as_)
    store.append(run.id, E.ANSWER, item, actor, data)
    out.write(f"{run.id} {item}: {data['verb']} by {actor}" + (f" ({reason})" if reason else "") + "\n")
    out.write(f"then: golive resume {run.id}\n")
    return EXIT_PASSED


def set_fields(ref: str, assignments: list[str], as_: str | None, out: TextIO) -> int:
    store, run, plan = _open(ref)
    known = {f.name: f for f in plan.checklist.fields}
    needed = {n for s in (*plan.steps, *plan.rollback) for n in s.needs}
    actor = identity(as_)
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
        store.append(
            run.id, E.FIELD_SET, name, actor, {"name": name, "value": value, "secret": False, "how": "golive set"}
        )
        out.write(f"{run.id}: {name} = {value} (by {actor})\n")
    out.write(f"then: golive resume {run.id}\n")
    return EXIT_PASSED
