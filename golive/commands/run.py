"""`golive run`, `golive resume`, `golive rollback`: the engine behind a command line."""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

from golive import __version__
from golive import plan as planning
from golive.commands.checklists import load_checklist
from golive.errors import InputError, LockHeld
from golive.model import Check, Checklist
from golive.parse import load, parse_text
from golive.plan import Plan
from golive.profile import Applied, RunSetup, applied_to, apply, resolve_secrets
from golive.profile.recorded import answer_events, of_run, unchanged
from golive.record.chain import Run
from golive.record.events import EventType as E
from golive.record.store import Store
from golive.run.console import Reporter, make_console
from golive.run.engine import Engine
from golive.run.options import RunOptions
from golive.run.people import Nobody, People, Terminal, identity
from golive.team.policy import policy

FINISHED = ("passed", "rolled_back", "aborted", "abandoned")


def run(
    path: str, options: RunOptions, dry_run: bool = False, out: TextIO | None = None, profile: str | None = None
) -> int:
    checklist = load_checklist(path)
    _refuse_bad_annotations(checklist)
    applied = applied_to(checklist, options.env, profile)
    plan = applied.plan if applied is not None else planning.build(checklist)
    setup = _take_profile(applied, options) if applied is not None else None
    check_options(plan, options)
    policy(checklist, applied.profile if applied is not None else None)  # a bad sign-off policy: file:line, no run
    if dry_run:
        from golive.commands.dryrun import dry_run as show

        return show(plan, options, out, applied)
    profile_secrets = resolve_secrets(applied.profile) if applied is not None else {}
    options.vars = {**profile_secrets, **options.vars}
    actor = identity(options.acting_as)
    lock = f"{os.path.realpath(path)}::{options.env}"
    _check_lengths(options, actor, lock)
    store = Store.open()
    sweep_finished_scratch(store)
    named = (v for k, v in options.vars.items() if planning.is_secret(checklist, k))
    store.masker.add(*profile_secrets.values(), *named)
    holder = store.lock_holder(lock)
    if holder is not None and "processes still run" in holder[1]:
        raise LockHeld(
            f"run {holder[0]} of this checklist and environment lost its golive, but its processes still run "
            f"({holder[1]}); golive left them running and started nothing",
            f"wait for them to end, stop them, or `golive resume {holder[0]}` (it waits for them)",
        )
    if holder is not None:
        raise LockHeld(
            f"run {holder[0]} of this checklist and environment is active ({holder[1]})",
            "wait for it to finish or pause; a dead holder's lease expires within 30 s",
        )
    options.workdir = str(Path(options.workdir).resolve())
    _ctrl_c_to_the_engine()
    run_ = store.create_run(
        path=path,
        sha256=checklist.sha256,
        text_=checklist.text,
        title=checklist.title,
        env=options.env,
        created_by=actor,
        options=options.recordable(),
    )
    store.append(
        run_.id,
        E.RUN_STARTED,
        actor=actor,
        data={
            "checklist": path,
            "sha256": checklist.sha256,
            "title": checklist.title,
            "env": options.env,
            "options": options.recordable(),
            "golive": __version__,
            "host": socket.gethostname(),
            "by": actor,
            "steps": len(plan.steps),
            "rollback_steps": len(plan.rollback),
            **({"profile": applied.profile.recorded()} if applied is not None else {}),
        },
    )
    for item, by, data in answer_events(applied) if applied is not None else []:
        store.append(run_.id, E.ANSWER, item, by, data)
    return _go(store, run_, plan, options, actor, resumed=False, out=out, setup=setup)


def sweep_finished_scratch(store: Store) -> None:
    """Scratch folders of runs that finished while golive was being killed (kill -9 between the run's
    last event and its clean-up) go with the next `golive run` or `resume` in this home: unless a
    golive still works on that run (a follow-up) or something of it still lives (a service)."""
    from golive.errors import NotFound
    from golive.run.shell import remove_run_scratch
    from golive.run.tracking import run_processes

    runs = store.home / "runs"
    for folder in sorted(runs.iterdir()) if runs.is_dir() else []:
        try:
            finished = store.run(folder.name).status in FINISHED
        except NotFound:
            continue  # not a run of this store: not ours to remove
        if not finished or store.run_is_held(f"followup::{folder.name}", folder.name):
            continue
        if not run_processes(store.home, folder.name):
            remove_run_scratch(folder)


def _take_profile(applied: Applied, options: RunOptions) -> RunSetup:
    """The profile's variables and choices join --var and --choose, which win where both name one."""
    setup = applied.setup(given=options.vars, chosen=options.choose)
    options.vars = {**applied.variables, **options.vars}
    options.choose = {**options.choose, **{k: v for k, v in applied.choices.items() if k not in options.choose}}
    return setup


def resume(ref: str, given: dict[str, Any], out: TextIO | None = None, rollback_only: bool = False) -> int:
    store = Store.open()
    sweep_finished_scratch(store)
    run_ = store.run(ref)
    if run_.status == "abandoned":
        raise InputError(f"run {run_.id} was abandoned", "an abandoned run is never resumed: start a new one")
    if run_.status in FINISHED and not rollback_only:
        raise InputError(f"run {run_.id} already finished ({run_.status})", "start a new one with golive run")
    if rollback_only and run_.status == "rolled_back":
        raise InputError(f"run {run_.id} was already rolled back", "golive show " + run_.id)
    problems = store.verify(run_.id)
    if problems:
        raise InputError(
            f"run {run_.id}: its record fails verification, so it is not resumed: {problems[0]}",
            f"golive audit verify {run_.id} lists every problem; start a new run with golive run",
        )
    checklist = _checklist_of(run_)
    profile = of_run(store.events(run_.id))
    note = unchanged(profile, run_.id, rollback_only) if profile is not None else ""
    applied = apply(profile, checklist) if profile is not None else None
    plan = applied.plan if applied is not None else planning.build(checklist)
    options = RunOptions.given(run_.options, **given)
    if options.non_interactive and not given.get("non_interactive") and sys.stdin.isatty():
        # Started where nobody could answer (CI); resumed by a person at a terminal: ask them.
        options.non_interactive = False
    check_options(plan, options, resumed=True)
    setup = None
    if applied is not None:  # its variables are in the record already; secrets never are
        started = {k: v for k, v in options.choose.items() if applied.choices.get(k) != v}  # --choose at start
        setup = applied.setup(given=options.vars, chosen=started)
        profile_secrets = resolve_secrets(applied.profile)
        store.masker.add(*profile_secrets.values())
        options.vars = {**profile_secrets, **options.vars}
    console = make_console(out)
    if note:
        console.print(note)
    if not run_.checklist_masked:
        try:
            on_disk = Path(run_.checklist_path).read_text(encoding="utf-8")
            if on_disk.replace("\r\n", "\n") != run_.checklist_text:
                console.print(
                    "note: the checklist changed on disk since this run started; golive continues with the "
                    "text the run started with"
                )
        except OSError:
            pass
    actor = identity(options.acting_as)
    _check_lengths(options, actor, "")
    _ctrl_c_to_the_engine()
    return _go(store, run_, plan, options, actor, resumed=True, out=out, rollback_only=rollback_only, setup=setup)


def _go(
    store: Store,
    run_: Run,
    plan: Plan,
    options: RunOptions,
    actor: str,
    resumed: bool,
    out: TextIO | None,
    rollback_only: bool = False,
    setup: RunSetup | None = None,
) -> int:
    console = make_console(out)
    reporter = Reporter(console, len(plan.rollback if rollback_only else plan.steps), plan.estimate_s)
    people: People
    people = Nobody(run_.id, options.manual) if options.non_interactive else Terminal(console, run_.id, options.manual)
    engine = Engine(store, run_, plan, options, people, reporter, actor, setup)
    try:
        code = engine.go(resumed=resumed, rollback_only=rollback_only)
    except LockHeld:
        if not resumed:
            store.append(
                run_.id,
                E.RUN_FINISHED,
                actor=actor,
                data={"status": "aborted", "reason": "another run holds the lock"},
                status="aborted",
                finished=True,
            )
        raise
    from golive.commands.report import write_default_report

    path = write_default_report(store, run_.id)
    head = store.run(run_.id)
    # Printed so it can be kept outside the store: the remedy against a rewritten database (docs/audit.md).
    console.print(f"record: {head.event_count} events, head {head.last_hash} (golive audit verify {run_.id})")
    console.print(f"report: {path}")
    if code == 3:
        console.print(f"then: golive resume {run_.id}")
    return code


def _checklist_of(run_: Run) -> Checklist:
    """The checklist a run started with, exactly: the stored copy when it is the original (its sha256
    is the one recorded), else the file, which must still be that text. The stored copy is not the
    original when secrets were masked in it; a command with `***` in place of a secret must not run."""
    if not run_.checklist_masked:
        return parse_text(run_.checklist_text, run_.checklist_path)
    why = "the stored copy of this run's checklist had secrets masked, so golive runs the file itself"
    try:
        checklist = load(run_.checklist_path)
    except InputError as exc:
        raise InputError(
            f"run {run_.id}: {why}, and it cannot be read ({exc.message})",
            f"put {run_.checklist_path} back as it was when the run started, or start a new run",
        ) from None
    if checklist.sha256 != run_.checklist_sha256:
        raise InputError(
            f"run {run_.id}: {why}, and {run_.checklist_path} has changed since the run started "
            f"(sha256 {checklist.sha256[:12]}…, the run recorded {run_.checklist_sha256[:12]}…)",
            "restore the file as it was, or start a new run with golive run",
        )
    return checklist


def _check_lengths(options: RunOptions, actor: str, lock: str) -> None:
    """Values given on the command line that land in bounded columns: refused before a run exists."""
    from golive.record import schema

    given = [
        ("--env", options.env, schema.limit(schema.runs, "env")),
        ("--as", actor, schema.limit(schema.events, "actor")),
        ("the checklist's path with --env", lock, schema.limit(schema.locks, "name")),
        *(("--var", name, schema.limit(schema.events, "item")) for name in options.vars),
    ]
    for option, value, most in given:
        if most is not None and len(value) > most:
            shown = value if len(value) <= 60 else value[:57] + "…"
            raise InputError(
                f"{option} {shown!r} is {len(value)} characters; golive keeps at most {most}",
                "give a shorter one",
            )


def _ctrl_c_to_the_engine() -> None:
    """From here a run exists: Ctrl-C waits for the engine, which records a pause or an abort for it,
    so no run is ever left "running" by a Ctrl-C that came a moment too early."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _refuse_bad_annotations(checklist: Checklist) -> None:
    for _section, item in checklist.walk():
        if isinstance(item, Check) and item.error:
            raise InputError(
                item.error,
                "fix the annotation; golive lint lists every problem",
                checklist.path,
                item.error_line or item.line,
            )


def check_options(plan: Plan, options: RunOptions, resumed: bool = False) -> None:
    """What a run is asked to do must make sense for this checklist before a run exists."""
    if not resumed and not any(not s.prechecked for s in plan.steps):
        raise InputError(
            "nothing to run: no command, no item to confirm, no sign-off (or every item is ticked already)",
            "golive plan shows what golive reads in it",
            plan.checklist.path,
        )
    if options.from_item and not resumed and plan.step(options.from_item) not in plan.steps:
        raise InputError(
            f"--from {options.from_item}: no such step of the deployment",
            "golive plan lists each step's line, e.g. --from L59",
        )
    for key, label in options.choose.items():
        problem = planning.choice_problem(plan, key, label)
        if problem:
            raise InputError(
                f"--choose {key}={label}: {problem}",
                'name the block\'s line (L88) or its section ("Step 2"), and an option; golive plan shows them',
            )
