"""`golive followup RUN NAME`: run one follow-up of a finished deployment ("Week 1") and close it.

Its steps (commands, checks, confirmations) are run by the engine against the run's own record,
like the deployment's; the run's status stays as it finished. A follow-up that pauses (nobody at
the terminal to confirm) is taken up again by the same command.
"""

from __future__ import annotations

from typing import Any, TextIO

from golive import plan as planning
from golive.errors import InputError
from golive.profile import apply, resolve_secrets
from golive.profile.recorded import of_run
from golive.record.store import Store
from golive.run.console import Reporter, make_console
from golive.run.engine import Engine
from golive.run.options import RunOptions
from golive.run.people import Nobody, People, Terminal, identity
from golive.team import followups


def followup(ref: str, name: str, given: dict[str, Any], out: TextIO | None = None) -> int:
    from golive.commands.report import write_default_report
    from golive.commands.run import _checklist_of

    store = Store.open()
    run_ = store.run(ref)
    if run_.status != "passed":
        raise InputError(
            f"run {run_.id} {run_.status.replace('_', ' ')}: only a deployment that passed owes follow-ups",
            f"golive show {run_.id}",
        )
    events = store.events(run_.id)
    profile = of_run(events)
    checklist = _checklist_of(run_)
    applied = apply(profile, checklist) if profile is not None else None
    plan = applied.plan if applied is not None else planning.build(checklist)
    chosen = followups.find(followups.of_plan(plan), name)
    now = events[-1].at if events else run_.started_at
    current = followups.status(run_, events, chosen, now)
    if current.state == "closed":
        when = f"{current.closed_at:%Y-%m-%d %H:%M} UTC" if current.closed_at else ""
        raise InputError(
            f'follow-up "{chosen.name}" of run {run_.id} was closed by {current.closed_by} at {when}',
            f"golive report {run_.id} shows it",
        )
    # Where and how the deployment ran carries over; how its operator answered that day does not.
    kept = ("env", "timeout_s", "follow_window_s", "start_window_s", "service_timeout_s", "choose", "workdir")
    options = RunOptions.given({k: v for k, v in run_.options.items() if k in kept}, **given)
    setup = None
    if applied is not None:
        setup = applied.setup(given=options.vars, chosen={})
        profile_secrets = resolve_secrets(applied.profile)
        store.masker.add(*profile_secrets.values())
        options.vars = {**profile_secrets, **options.vars}
    actor = identity(options.acting_as)
    console = make_console(out)
    reporter = Reporter(console, len(chosen.steps), 0)
    people: People
    people = Nobody(run_.id, options.manual) if options.non_interactive else Terminal(console, run_.id, options.manual)
    engine = Engine(store, run_, plan, options, people, reporter, actor, setup)
    code = engine.go_followup(chosen.key, chosen.name, chosen.steps)
    console.print(f"report: {write_default_report(store, run_.id)}")
    return code
