"""The run: walk the plan's steps in order, record each one before the next begins.

Resuming is replaying: the engine reads the run's events into a RunState and skips what is
done. A step that started and never finished (golive was killed) is *in doubt*: a person
says whether it completed. Every answer a person gives, at the terminal or later with
`golive confirm` / `golive set`, is an event too.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
import threading
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

from golive.errors import EXIT_FAILED, EXIT_PASSED, EXIT_PAUSED
from golive.plan import Kind, Plan, PlanStep, is_secret
from golive.profile import RunSetup
from golive.record.chain import Run
from golive.record.events import EventType as E
from golive.record.leases import holder_name
from golive.record.store import Store
from golive.run.console import Reporter, background
from golive.run.options import RunOptions
from golive.run.outcomes import Abort, RollbackNow, Service
from golive.run.people import Need, NeedPerson, People
from golive.run.shell import ShellSession
from golive.run.shellstate import fold, keep, kept_texts, restore_script, script_of_record
from golive.run.state import RunState, active_seconds, apply, replay, took
from golive.run.vault import Vault, VaultError
from golive.secrets import Secret
from golive.team.followups import schedule
from golive.team.notify import About, Delivery, Notifier, compose, targets_of_run
from golive.team.notify import record as record_deliveries

LOCK_TTL_S = 30.0
VERIFIED = ("passed", "confirmed", "observed")  # what makes a step count as done by the deployment


class Engine:
    def __init__(
        self,
        store: Store,
        run: Run,
        plan: Plan,
        options: RunOptions,
        people: People,
        reporter: Reporter,
        actor: str,
        setup: RunSetup | None = None,
    ) -> None:
        self.store = store
        self.setup = setup  # an environment profile's PATH, environment and prelude
        self.run = run
        self.plan = plan
        self.options = options
        self.people = people
        self.reporter = reporter
        self.actor = actor
        events = store.events(run.id)
        self.state: RunState = replay(events)
        self.masker = store.masker  # one masker: what the run learns is masked in the store too
        where = targets_of_run(run, events, os.environ)
        self.notifier = Notifier(where, self.masker) if where else None
        self._about = About(run.id, plan.checklist.title, run.env, run.checklist_path, actor, socket.gethostname())
        reporter.masker = self.masker
        self.values: dict[str, str] = dict(self.state.fields)
        self.values.update(options.vars)
        for name, value in options.vars.items():
            if is_secret(plan.checklist, name):
                self.masker.add(value)
        self.shell: ShellSession | None = None
        self.held: list[ShellSession] = []  # sessions left to a foreground service
        self.services: list[Service] = []
        self.accepted: set[int] = set()
        self.skipped_blocks: set[int] = set()
        self.settled: set[str] = set()  # failed steps settled from a journal on resume, not to be run again now
        self.interrupted = False  # Ctrl-C: stop the command that runs
        self.stop_requested = False  # Ctrl-C: then ask the operator to pause or abort the run
        self.scratch = self.store.home / "runs" / run.id
        self._lock_name = f"{os.path.realpath(run.checklist_path)}::{run.env}"
        self._heartbeat: threading.Event | None = None
        self._base_env = dict(os.environ)
        self._recorded_env: dict[str, Any] = dict(self.state.session)
        # --- the same shell after a pause, a kill -9 or another terminal (shellstate.keep, vault.py) ---
        self.vault = Vault(self.store.home)
        self._seal_failed = False
        self.lost: dict[str, str] = {}  # what a resume could not restore (kind:name) -> the step that set it
        self.lost_why = ""
        self._terminal_env: dict[str, str] = {}  # the session's environment before golive's own values
        self._kept: dict[str, str] = {}  # kind:name -> text, as last kept
        self._last_started = ""  # the step whose command runs: what it changes in the session, it set
        self._restore_keys: list[str] | None = None  # what the sealed state holds (kind:name), once opened
        # What the record holds of the session (kind:name -> text, no secret), folded from its events.
        self._clear = fold(
            [dict(e.data.get("entries") or {}) for e in store.events(run.id) if e.type == E.SESSION_STATE]
        )
        reporter.started -= active_seconds(self.state)  # elapsed counts the run's earlier work too

    # --- recording --------------------------------------------------------------------------------------

    def record(
        self,
        type_: E,
        item: str | None = None,
        actor: str | None = None,
        run_status: str | None = None,
        finished: bool = False,
        **data: Any,
    ) -> None:
        """Append an event; `run_status` also changes the run's status in the same transaction."""
        event = self.store.append(self.run.id, type_, item, actor, data, status=run_status, finished=finished)
        apply(self.state, event)
        if type_ is E.STEP_STARTED and item:
            self._last_started = item

    def finish_step(
        self,
        step: PlanStep,
        status: str,
        reason: str = "",
        actor: str | None = None,
        duration_s: float | None = None,
        **data: Any,
    ) -> str:
        self.record(
            E.STEP_FINISHED,
            step.id,
            actor,
            phase=step.phase.value,
            status=status,
            reason=self.masker(reason),
            duration_s=duration_s,
            **data,
        )
        self.reporter.result(status, self.masker(reason), duration_s, actor)
        return status

    def is_secret(self, name: str) -> bool:
        return is_secret(self.plan.checklist, name)

    # --- the run --------------------------------------------------------------------------------------

    def go(self, resumed: bool = False, rollback_only: bool = False) -> int:
        """Run (or resume, or roll back) to the end or to a pause. Returns the exit code."""
        self.store.acquire_lock(self._lock_name, self.run.id, holder_name(), LOCK_TTL_S)
        self._start_heartbeat()
        previous = signal.signal(signal.SIGINT, self._on_sigint)
        self.reporter.header(self.run.id, self.plan.checklist.title, self.run.checklist_path, self.run.env, resumed)
        code = 1
        if not resumed:
            self.notify("run_started", steps=len(self.plan.steps))
        try:
            if resumed:
                self.record(E.RUN_RESUMED, actor=self.actor, run_status="running", by=self.actor)
            self._record_vars()
            self._adopt_services()
            self._start_shell(resumed)
            code = self._go_until_answered(resumed, rollback_only)
        except Abort as exc:  # the shell could not be set up (a profile's prelude failed)
            self.record(E.WARNING, message=self.masker(str(exc)))
            self.reporter.say(f"  {self.masker(str(exc))}", "red")
            code = self._finish("failed", str(exc), 1)
        except NeedPerson as exc:
            code = self._pause(exc.need)
        except KeyboardInterrupt:
            # Ctrl-C twice: golive stops at once, and the run is paused, not left "running".
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            item = next((r.item for r in self.state.in_doubt), "")
            hint = f"golive resume {self.run.id}"
            code = self._pause(Need(item, "the operator, who stopped golive with Ctrl-C", hint, "interrupted"))
        finally:
            signal.signal(signal.SIGINT, previous)
            self._end_services(code)
            self._close_shells()
            if self.notifier is not None:  # the last messages go out before golive exits (bounded)
                self._notified(self.notifier.close())
            self._stop_heartbeat()
            if code != EXIT_PAUSED:
                self._remove_scratch()
            if not self._services_up(code):
                self.store.release_lock(self._lock_name, self.run.id)
        return code

    def go_followup(self, key: str, name: str, steps: tuple[PlanStep, ...]) -> int:
        """A follow-up of a finished run (`golive followup`): its steps against the same record, in a shell
        that starts where the deployment's left off, then FOLLOWUP_CLOSED. The run's own status stays."""
        from golive.run.steps import StepRunner

        self._lock_name = f"followup::{self.run.id}"  # a new deployment of the checklist may run meanwhile
        self.store.acquire_lock(self._lock_name, self.run.id, holder_name(), LOCK_TTL_S)
        self._start_heartbeat()
        previous = signal.signal(signal.SIGINT, self._on_sigint)
        self.reporter.header(self.run.id, f"follow-up {name}", self.run.checklist_path, self.run.env, True)
        code = EXIT_FAILED
        try:
            self.record(E.FOLLOWUP_STARTED, key, self.actor, name=name, by=self.actor)
            self._start_shell(resumed=True)
            runner = StepRunner(self)
            for index, step in enumerate(steps, start=1):
                if not self.state.done(step.id):
                    if index == 1 or step.section is not steps[index - 2].section:
                        self.reporter.section(step.section.title, None)
                    runner.do(step, index, len(steps))
            failed = [s.id for s in steps if s.id in self.state.steps and self.state.steps[s.id].status == "failed"]
            reason = f"{', '.join(failed)} failed" if failed else "every step done"
            code = self._close_followup(key, name, "failed" if failed else "passed", reason)
        except (Abort, RollbackNow) as exc:  # a follow-up never rolls the deployment back
            code = self._close_followup(key, name, "failed", str(exc))
        except (NeedPerson, KeyboardInterrupt) as exc:
            what = exc.need.what if isinstance(exc, NeedPerson) else "the operator, who stopped golive"
            self.record(E.WARNING, key, message=f"follow-up {name} waits for {self.masker(what)}")
            self.reporter.paused(what, f'golive followup {self.run.id} "{name}" (at a terminal to answer)')
            self.notify("paused", item=key, what=what, hint=f'golive followup {self.run.id} "{name}"')
            code = EXIT_PAUSED
        finally:
            signal.signal(signal.SIGINT, previous)
            self._end_services(code)
            self._close_shells()
            if self.notifier is not None:
                self._notified(self.notifier.close())
            self._stop_heartbeat()
            self.store.release_lock(self._lock_name, self.run.id)
        return code

    def _close_followup(self, key: str, name: str, status: str, reason: str) -> int:
        self.record(E.FOLLOWUP_CLOSED, key, self.actor, name=name, status=status, reason=self.masker(reason))
        mark = "✓" if status == "passed" else "✗"
        self.reporter.say(f"\n{mark} follow-up {name} {'closed' if status == 'passed' else 'failed'}: {reason}")
        return EXIT_PASSED if status == "passed" else EXIT_FAILED

    def _services_up(self, code: int) -> bool:
        """A paused run whose service is still up keeps its lease: the service is the run's, and no other
        run of the checklist and environment starts beside it (a takeover finds it by GOLIVE_RUN)."""
        from golive.run.services import alive

        return code == EXIT_PAUSED and any(alive(s.pid) for s in self.services)

    def _remove_scratch(self) -> None:
        """The run is over: its scratch files go (a service left running keeps its output file)."""
        from golive.run.services import alive
        from golive.run.shell import remove_run_scratch

        left = [s for s in self.services if alive(s.pid)]
        keep = {str(s.out) for s in left} | {str(s.err) for s in left if s.err}
        remove_run_scratch(self.scratch, keep)

    def _pause(self, need: Need) -> int:
        self._record_pause(need)
        self.reporter.paused(need.what, need.hint)
        self.notify("paused", item=need.item, what=need.what, hint=need.hint)
        return EXIT_PAUSED

    # --- notifications ------------------------------------------------------------------------------------

    def notify(self, event: str, **facts: Any) -> None:
        """Tell the run's notification services (golive/team/notify.py). In the background, after the
        state is recorded: sending never blocks or fails the run; what did not go out is recorded and shown."""
        if self.notifier is not None:
            self._notified(self.notifier.drain())
            self.notifier.send(compose(event, self._about, **facts))

    def _notified(self, deliveries: list[Delivery]) -> None:
        for line in record_deliveries(lambda type_, **data: self.record(type_, **data), deliveries):
            self.reporter.say(f"  {self.masker(line)}", "yellow")

    def _record_pause(self, need: Need, **waiting: Any) -> None:
        """The run waits for a person (`waiting`: in this process, for up to `wait_s`): one event, one place."""
        self.record(
            E.PAUSED, need.item or None, run_status="paused", what=need.what, hint=need.hint, need=need.kind, **waiting
        )

    def _go_until_answered(self, resumed: bool, rollback_only: bool) -> int:
        """Run; where a person is needed, wait for the answer when this run may (a sign-off only another
        person can give, at a terminal; anything, with --wait), then go on in this process, no resume."""
        from golive.team.wait import AwaitApproval

        while True:
            try:
                return self._go(resumed, rollback_only)
            except NeedPerson as exc:
                at_terminal = isinstance(exc, AwaitApproval) and self.people.interactive and sys.stdin.isatty()
                limit = None if at_terminal else self.options.wait_s
                if exc.need.kind == "interrupted" or limit == 0:
                    return self._pause(exc.need)
                if not self._wait(exc.need, limit):
                    return EXIT_PAUSED
                resumed = True

    def _wait(self, need: Need, limit: float | None) -> bool:
        """Paused while it waits (so `golive confirm` knows what the answer is for), and the lock kept."""
        from golive.team.wait import wait_for_answer, waiting_line

        self._record_pause(need, waiting=True, wait_s=limit)
        self.reporter.say(waiting_line(need, self.run.id, limit), "yellow")
        self.notify("paused", item=need.item, what=need.what, hint=need.hint)
        shown = [0.0]

        def tick(elapsed: float) -> None:
            if elapsed - shown[0] >= 30:  # a line now and then, naming whom it waits for
                shown[0] = elapsed
                self.reporter.say(f"  ⧗ still waiting for {need.what} · {int(elapsed)} s", "dim")

        answer = wait_for_answer(self.store, self.run.id, self.state.last_seq, limit, tick, lambda: self.stop_requested)
        if answer is None:
            self.stop_requested = self.interrupted = False
            self.reporter.paused(need.what, need.hint)
            return False
        if sys.stdin.isatty():  # keys pressed while it waited answer no question that follows
            import termios

            with contextlib.suppress(OSError, termios.error):
                termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)
        before = dict(self.state.fields)
        self.state = replay(self.store.events(self.run.id))
        given = {k: v for k, v in self.state.fields.items() if before.get(k) != v}
        self.values.update(given)
        if given and self.shell is not None:
            self.shell.set_variables(given)
        what = f"{answer.type.replace('_', ' ')} by {answer.actor}" if answer.actor else answer.type
        self.reporter.say(f"  {what}: going on", "green")
        how = f"{what}, while it waited"
        self.record(E.RUN_RESUMED, actor=self.actor, run_status="running", by=self.actor, how=how)
        return True

    def _record_vars(self) -> None:
        """--var values go into the record so a resume has them; a secret's value never does."""
        for name, value in self.options.vars.items():
            secret = self.is_secret(name)
            if secret or self.state.fields.get(name) != value:
                self.record(
                    E.FIELD_SET,
                    name,
                    self.actor,
                    name=name,
                    value=Secret(value) if secret else value,
                    secret=secret,
                    how=self.setup.how(name) if self.setup else "--var",
                )

    def _go(self, resumed: bool, rollback_only: bool) -> int:
        from golive.run.steps import StepRunner

        runner = StepRunner(self)
        if self.lost:
            runner.command_step.restore_lost()
        rolling_back = rollback_only or (self.state.phase == "rollback" and self.state.rollback_status == "running")
        if resumed and rolling_back:
            runner.settle_in_doubt()
        if rolling_back:
            reason = self.state.rollback_reason or f"requested by {self.actor}"
            status = self.rollback(runner, reason)
            # `golive rollback RUN` asked for the rollback: 0 when it passed. A run that rolled back
            # after a failure did not pass: 1, as README says.
            return self._finish(
                "rolled_back" if status == "passed" else "failed",
                f"rollback {status}",
                EXIT_PASSED if status == "passed" and rollback_only else EXIT_FAILED,
            )
        try:
            if resumed:
                runner.settle_in_doubt()  # a step found failed in its journal is handled like any failure
            self._main(runner)
        except Abort as exc:
            return self._finish("aborted" if exc.by_person else "failed", str(exc), EXIT_FAILED)
        except RollbackNow as exc:
            status = self.rollback(runner, str(exc))
            return self._finish(
                "rolled_back" if status == "passed" else "failed", f"{exc}; rollback {status}", EXIT_FAILED
            )
        main = [r for r in self.state.steps.values() if r.phase == "main"]
        failed = [r for r in main if r.status == "failed"]
        if failed:
            return self._finish("failed", f"{len(failed)} step(s) failed", EXIT_FAILED)
        if not any(r.status in VERIFIED for r in main):
            # Nothing ran and nobody confirmed anything: not a deployment that passed.
            counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in Counter(r.status for r in main).items())
            return self._finish("failed", f"nothing was verified or confirmed ({counts or 'no steps'})", EXIT_FAILED)
        return self._finish("passed", "every step verified or confirmed", EXIT_PASSED)

    def _main(self, runner: Any) -> None:
        steps = self.plan.steps
        start = next((i for i, s in enumerate(steps) if s.id == self.options.from_item), 0)
        for s in steps[:start]:
            # Steps before --from are not run; sign-offs are never passed over: they are asked in their place.
            if not self.state.done(s.id) and s.kind is not Kind.SIGNOFF:
                self.record(
                    E.STEP_FINISHED,
                    s.id,
                    self.actor,
                    phase="main",
                    status="not_run",
                    reason=f"before --from {self.options.from_item}",
                )
        section = None
        for index, step in enumerate(steps, start=1):
            if self.state.done(step.id) or step.id in self.settled:
                continue
            if self.stop_requested:
                self.stop_requested = self.interrupted = False
                self.people.interrupted(step.id)
            if step.section is not section:
                section = step.section
                self.reporter.section(section.title, section.estimate.seconds if section.estimate else None)
            runner.do(step, index, len(steps))
        runner.required_approvals()  # the policy's roles no sign-off item asks for: never passed without them

    def rollback(self, runner: Any, reason: str) -> str:
        if self.state.rollback_status != "running":
            self.record(E.ROLLBACK_STARTED, actor=self.actor, reason=self.masker(reason))
        self.reporter.section(f"Rollback: {reason}", None)
        if not self.plan.rollback:
            self.record(E.WARNING, message="the checklist has no rollback section: nothing to run")
        try:
            section = None
            for index, step in enumerate(self.plan.rollback, start=1):
                if self.state.done(step.id):
                    continue
                if step.section is not section:
                    section = step.section
                    self.reporter.section(section.title, None)
                runner.do(step, index, len(self.plan.rollback))
        except (Abort, RollbackNow) as exc:
            self.record(E.ROLLBACK_FINISHED, status="failed", reason=str(exc))
            return "failed"
        failed = [r for r in self.state.steps.values() if r.phase == "rollback" and r.status == "failed"]
        status = "failed" if failed else "passed"
        self.record(E.ROLLBACK_FINISHED, status=status)
        return status

    def _finish(self, status: str, reason: str, code: int) -> int:
        self.record(
            E.RUN_FINISHED,
            actor=self.actor,
            run_status=status,
            finished=True,
            status=status,
            reason=self.masker(reason),
        )
        counts = dict(Counter(r.status for r in self.state.steps.values()))
        self.reporter.finished(status, self.run.id, counts, took(self.state), reason)
        owed = schedule(self.plan, self.state.finished_at) if status == "passed" else []
        event = status if status in ("passed", "rolled_back") else "failed"
        self.notify(event, status=status, reason=reason, followups=owed)
        return code

    # --- signals and the lock ---------------------------------------------------------------------------

    def _on_sigint(self, _signum: int, _frame: FrameType | None) -> None:
        """Ctrl-C outside a prompt: stop the command that runs, then ask to pause or abort (prompts
        handle their own Ctrl-C). Again before that: stop at once, the run paused."""
        if self.interrupted:
            raise KeyboardInterrupt
        self.interrupted = self.stop_requested = True
        line = "\n  interrupt: stopping (Ctrl-C again stops at once; the run is paused)"
        self.reporter.say_from_signal_handler(line, "yellow")

    def _start_heartbeat(self) -> None:
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(LOCK_TTL_S / 3):
                # A missed beat is harmless: the next one renews, and the lease outlasts two misses.
                with contextlib.suppress(Exception):
                    self.store.renew_lock(self._lock_name, self.run.id, LOCK_TTL_S)

        background(beat, "golive-lock")  # Ctrl-C must reach the main thread
        self._heartbeat = stop

    def _stop_heartbeat(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.set()

    # --- the shell session ------------------------------------------------------------------------------

    def _start_shell(self, resumed: bool) -> None:
        env = self.setup.environment(os.environ) if self.setup else dict(os.environ)
        self._terminal_env = dict(env)  # this terminal's own: never kept as the session's
        cwd = self.options.workdir
        script = ""
        if resumed and self.state.session:
            recorded = self.state.session
            for name, value in (recorded.get("env") or {}).items():
                if value is None:
                    env.pop(name, None)
                else:
                    env[name] = value
            cwd = recorded.get("cwd") or cwd
            script, cwd = self._restoring(env, cwd)
        for name, value in self.values.items():
            env[name] = value
        self.shell = self._new_session(env, Path(cwd), restore=script)
        if script:
            self._check_restored()
            self._secret_fields_from_the_session()
        if script and self.options.vars:
            self.shell.set_variables(dict(self.options.vars))  # what is given now wins over what was kept
        self._kept = kept_texts(self.shell.state, self._terminal_env)
        self.record(
            E.SESSION_RESTORED if resumed else E.SESSION_STATE,
            session=self.shell.session_id,
            cwd=str(Path(cwd).resolve()),
            reason="resumed in a new shell" if resumed else "started",
        )
        if self.setup and self.setup.prelude.strip():
            self._prelude(self.setup.prelude)

    def _check_restored(self) -> None:
        """Whatever the restore meant to bring back and the new shell does not hold is lost too, named."""
        assert self.shell is not None
        recorded = self.state.session
        meant = self._restore_keys if self._restore_keys is not None else list(self._clear)
        held = kept_texts(self.shell.state, {})
        set_by = recorded.get("set_by") or {}
        missing = [k for k in meant if k not in held]
        for key in missing:
            self.lost.setdefault(key, str(set_by.get(key, "")))
        if missing and not self.lost_why:
            self.lost_why = "the new shell did not take it back"

    def _secret_fields_from_the_session(self) -> None:
        """A secret field given before the pause (typed, or --var) is in the restored shell: it is not
        asked again. (The record never held it; the vault did.)"""
        assert self.shell is not None
        for name in sorted(self.state.secret_fields):
            value = self.shell.state.variables.get(name)
            if value and name not in self.values:
                self.masker.add(value)
                self.values[name] = value

    def _restoring(self, env: dict[str, str], cwd: str) -> tuple[str, str]:
        """The script that makes a resumed session the shell the run had, and its directory: all of
        it from this machine's vault; else what the record holds, what it withheld named in `lost`."""
        recorded = self.state.session
        try:
            sealed = json.loads(self.vault.open(self.run.id))
            if int(sealed.get("seq", 0)) < int(recorded.get("sealed", 0)):
                raise VaultError("the sealed shell state is older than the record")
            self._restore_keys = list(sealed.get("keys") or [])
            return str(sealed.get("script", "")), str(sealed.get("cwd") or cwd)
        except VaultError as exc:
            self.lost_why = str(exc)
        except ValueError:
            self.lost_why = "the sealed shell state is unreadable"
        set_by = recorded.get("set_by") or {}
        withheld = list(recorded.get("withheld") or [])
        withheld += [f"var:{n}" for n in recorded.get("secret_names", []) if f"var:{n}" not in withheld]
        for key in withheld:
            name = key.split(":", 1)[1]
            if key.startswith("var:") and (name in env or name in self.values):
                continue  # given again (--var, or exported before the resume)
            self.lost[key] = str(set_by.get(key, ""))
        return script_of_record(self._clear, list(recorded.get("unset") or [])), cwd

    def _prelude(self, script: str) -> None:
        """An environment profile's prelude runs in each new run's shell before any step."""
        assert self.shell is not None and self.setup is not None
        result = self.shell.run(script, timeout=self.options.timeout_s)
        if not result.succeeded:
            said = self.masker((result.err or result.out).strip())[-400:]
            raise Abort(f"the prelude of {self.setup.label} failed (exit {result.exit_code}): {said}")
        self.record_session_state()

    def _new_session(self, env: dict[str, str], cwd: Path, restore: str) -> ShellSession:
        if not cwd.is_dir():
            cwd = Path(self.options.workdir)
        session = ShellSession(
            cwd,
            self.scratch / f"s{len(self.state.session_ids) + len(self.held)}-{os.getpid()}",
            env,
            masker=self.masker,
            run_id=self.run.id,
        )
        session.start(restore)
        return session

    def replace_session(self, reason: str, keep_old: bool = False) -> None:
        """A new session continues where the old one was (its variables, functions and directory)."""
        old = self.shell
        assert old is not None
        script = restore_script(old.state.dump, old.state.cwd, old.env) if old.state.dump else ""
        if keep_old:
            self.held.append(old)
        else:
            old.close()
        self.shell = self._new_session(dict(old.env), Path(old.state.cwd or self.options.workdir), script)
        self.record(E.SESSION_RESTORED, session=self.shell.session_id, reason=reason, cwd=self.shell.state.cwd)

    def record_session_state(self) -> None:
        """Record where the shell is and what it exports, when that changed; secret values never."""
        assert self.shell is not None
        state = self.shell.state
        env: dict[str, str | None] = {}
        secret_names = []
        for name, value in state.exported.items():
            if name.startswith(("GOLIVE_", "__golive")) or self._base_env.get(name) == value:
                continue
            if self.is_secret(name) or self.masker(value) != value:
                secret_names.append(name)
                continue
            env[name] = value
        for name in self._base_env:
            if name not in state.exported and not name.startswith("GOLIVE_") and state.exported:
                env[name] = None
        snapshot: dict[str, Any] = {"cwd": state.cwd, "env": env, "secret_names": sorted(secret_names)}
        kept = self._keep_session()
        clear: dict[str, str] = kept.pop("clear")
        # The record holds what changed of the session (no secret): a resume elsewhere folds it back.
        changes: dict[str, str | None] = {k: v for k, v in clear.items() if self._clear.get(k) != v}
        changes |= {k: None for k in self._clear if k not in clear}
        snapshot |= kept
        same = {k: self._recorded_env.get(k) for k in snapshot if k != "sealed"} == {
            k: v for k, v in snapshot.items() if k != "sealed"
        }
        if changes or not same:
            self._recorded_env = dict(snapshot)
            self._clear = clear
            self.record(E.SESSION_STATE, session=self.shell.session_id, **snapshot, entries=changes)

    def _keep_session(self) -> dict[str, Any]:
        """Seal the whole session in the vault when it changed (what a resume on this machine needs,
        secrets too); return what the record keeps of it: no secret value, only names."""
        assert self.shell is not None
        state = self.shell.state
        seq = int(self._recorded_env.get("sealed", 0) or 0)
        kept = keep(
            state,
            self._terminal_env or self.shell.env,
            lambda name, text: self.is_secret(name) or self.masker(text) != text,
            dict(self._recorded_env.get("set_by") or {}),
            self._last_started,
            self._kept,
            seq + 1,
        )
        if kept.texts == self._kept and state.cwd == self._recorded_env.get("cwd"):
            return {**kept.record, "sealed": seq}  # nothing changed: nothing to seal
        try:
            self.vault.seal(self.run.id, json.dumps({**kept.sealed, "run": self.run.id}).encode())
        except (VaultError, OSError) as exc:
            # The run goes on; a resume will name what it cannot restore. Said once, not per command.
            if not self._seal_failed:
                self._seal_failed = True
                self.record(E.WARNING, message=f"the session could not be sealed for a resume: {exc}")
            return {**kept.record, "sealed": seq}
        self._kept = kept.texts
        return kept.record

    def _close_shells(self) -> None:
        if self.shell is not None:
            self.shell.close()
        for s in self.held:
            s.close()

    # --- services at the end ----------------------------------------------------------------------------

    def _adopt_services(self) -> None:
        """Services an earlier golive process of this run started and left up are this run's to end."""
        from golive.run.services import alive

        for item, data in self.state.services.items():
            pid = int(data.get("pid") or 0)
            if data.get("state") == "running" and pid and alive(pid):
                log = str(data.get("log", ""))
                self.services.append(Service(item, pid, data.get("port"), log, "", str(data.get("ready", ""))))

    def _end_services(self, code: int) -> None:
        from golive.run.services import alive, tree
        from golive.run.shell import stop_processes

        running = [s for s in self.services if alive(s.pid)]
        if not running or code == 3:
            return  # a paused run is not over: its services stay up
        lines = [f"{s.item}: pid {s.pid}" + (f", port {s.port}" if s.port else "") + f" ({s.how})" for s in running]
        if code == 0:
            choice = self.options.services
            if choice == "ask":
                try:
                    choice = self.people.services(lines).verb
                except (NeedPerson, Abort):  # nobody answers, or Ctrl-C: the run is over, the service stays
                    choice = "leave"
        else:
            choice = "leave" if self.options.services == "leave" else "stop"
        for s in running:
            if choice == "stop":
                stop_processes(tree(s.pid))
                self.record(E.SERVICE_STOPPED, s.item, self.actor, pid=s.pid, how="stopped at the end of the run")
                self.reporter.say(f"  stopped service {s.item} (pid {s.pid})", "yellow")
            else:
                self.record(E.SERVICE_LEFT, s.item, self.actor, pid=s.pid, port=s.port, log=s.out)
                self.reporter.say(f"  left running: service {s.item} (pid {s.pid}); its output: {s.out}", "cyan")
