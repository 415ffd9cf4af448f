"""Running a command step: accept the block, allow a destructive command, check sudo, fill the
placeholders, run it in the session (or start it as a service), judge it and keep its output.

`CommandStep` belongs to a `StepRunner`: field values and what to do after a failure are its.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from typing import TYPE_CHECKING

from golive.model import Mode
from golive.parse.placeholders import fill
from golive.parse.shellvars import judges_pipe, read_unset_candidates, set_in_dump
from golive.plan import PlanStep
from golive.record.events import EventType as E
from golive.run import services as svc
from golive.run.judge import FAILED, PERSON, Verdict, judge
from golive.run.outcomes import Abort, Answer, Service, answer_of
from golive.run.people import Need, NeedPerson, shown_name
from golive.run.shell import CommandResult, SessionLost, ShellError
from golive.run.shellstate import declarations_of
from golive.secretscan import secret_assignments

if TYPE_CHECKING:
    from golive.run.steps import StepRunner

_PY_END = "__GOLIVE_PY_END__"
# Appended to a command with a pipe: each side's exit status (and which command it was), $? kept.
# Two newlines first: a command ending in `\` must not swallow it.
_PIPE_TRAILER = '\n\n__golive_ps="${PIPESTATUS[*]}"; __golive_psn=$GOLIVE_STEP; __golive_rc "${__golive_ps##* }"'
_SIGPIPE = 141  # `yes | head -1`: the left side was told to stop by the reader, as meant


class CommandStep:
    """Runs the command steps of one `StepRunner`."""

    def __init__(self, runner: StepRunner) -> None:
        self.runner = runner
        self.e = runner.e
        self._sudo_ok: bool | None = None
        self._pipe: tuple[int, ...] = ()  # PIPESTATUS of the last command's final pipeline

    def command(self, step: PlanStep) -> str:
        e = self.e
        cmd = step.command
        assert cmd is not None
        record = e.state.steps.get(step.id)
        if record is not None and record.status == "paused" and record.data.get("awaiting") == "judge":
            status = self._judged_later(step)
            if status != "retry":
                return status
        answered = self._answered_before_running(step)
        if answered is not None:
            return answered
        if cmd.option is not None:
            chosen = e.state.choices.get(cmd.option.group)
            if chosen != cmd.option.index:
                label = e.state.choice_labels.get(cmd.option.group, "another option")
                return e.finish_step(step, "not_run", f"alternative not chosen ({label} was)")
        if cmd.platform:
            return e.finish_step(step, "not_run", f"written for {cmd.platform.title()}; this is Linux")
        if step.block in e.skipped_blocks:
            return e.finish_step(step, "skipped", "its block was skipped", e.actor)
        values = self.runner.need_values(step)
        text = fill(cmd.text, cmd.placeholders, values)
        shown = e.masker(text)
        try:
            self._accept(step, shown)
        except _SkipBlock as skip:
            e.skipped_blocks.add(step.block)
            return e.finish_step(step, "skipped", skip.reason or "the operator skipped these commands", e.actor)
        if cmd.destructive:
            skipped = self._consent(step, shown)
            if skipped is not None:
                return skipped
        if cmd.sudo and not self._sudo_works():
            return self._fail(
                step,
                "sudo would ask for a password and golive has no terminal to type it in: allow "
                "this command without a password (sudoers NOPASSWD), or run it yourself and "
                f"`golive confirm {e.run.id} {step.id} --done`",
            )
        if step.interactive and not self._at_terminal():
            e.people.by_hand(step.id, shown, step.interactive)  # pauses: "run it yourself, then confirm --done"
        if cmd.lang == "bash":
            self._unset_variables(step, text)
        if cmd.lang == "python":
            text = f"python3 - <<'{_PY_END}'\n{text}\n{_PY_END}"
        attempt = e.state.steps[step.id].attempts + 1 if step.id in e.state.steps else 1
        while True:
            status, reason = self._attempt(step, text, shown, attempt)
            if status != FAILED:
                return status
            outcome = self.runner.after_failure(step, reason, retryable=True)
            if outcome != "retry":
                return outcome
            attempt += 1

    # --- a resumed shell that lacks what a step set -----------------------------------------------------

    def restore_lost(self) -> None:
        """What a resumed shell could not get back (a secret the record never holds, and no vault
        here): set again by running the step that set it, typed in, or the run pauses naming it.
        Never does a later step run with it empty in silence."""
        e = self.e
        assert e.shell is not None
        by_setter: dict[str, list[str]] = {}
        for key, setter in sorted(e.lost.items()):
            step = e.plan.step(setter) if setter else None
            by_setter.setdefault(setter if step is not None and step.command is not None else "", []).append(key)
        for setter, keys in by_setter.items():
            shown = ", ".join(shown_name(k) for k in keys)
            stored = answer_of(e.state, setter, "session") if setter else None
            answer, actor = stored if stored is not None else (e.people.lost(keys, setter, e.lost_why), e.actor)
            if answer.verb == "skip":
                e.record(
                    E.WARNING, message=f"going on without {shown} (not restored): {actor} said so: {answer.reason}"
                )
            elif answer.verb == "value":
                name = keys[0].split(":", 1)[1]
                e.masker.add(answer.value)
                exported = name in (e.state.session.get("secret_names") or [])
                e.shell.set_variables({name: answer.value}, export=exported)
                e.record(E.WARNING, message=f"{name} could not be restored: typed in again by {actor}")
            elif answer.verb == "rerun":
                if stored is None:
                    e.record(E.ANSWER, setter, actor, verb="rerun", need="session", how="at the terminal")
                status = self._again(e.plan.step(setter))  # type: ignore[arg-type]
                still = [k for k in keys if not _held(e, k)]
                if still:
                    e.people.lost(still, "", f"{setter} ran again ({status}) and did not set it")
            e.record_session_state()
        e.lost = {}

    def _again(self, step: PlanStep) -> str:
        """Run a command step that is done again, in this session, for what it sets."""
        e = self.e
        cmd = step.command
        assert cmd is not None
        text = fill(cmd.text, cmd.placeholders, self.runner.need_values(step))
        if cmd.lang == "python":
            text = f"python3 - <<'{_PY_END}'\n{text}\n{_PY_END}"
        attempt = e.state.steps[step.id].attempts + 1 if step.id in e.state.steps else 1
        e.reporter.say(f"  running {step.id} again, for what it sets in the shell", "yellow")
        status, _reason = self._attempt(step, text, e.masker(text), attempt)
        return status

    def _accept(self, step: PlanStep, shown: str) -> None:
        """A block runs once accepted (or with --yes); an optional one only when a person says run, --yes or not."""
        e = self.e
        block_id = f"L{step.block}"
        # A person's answer counts even under --yes; an optional command is answered by its own line.
        stored = answer_of(e.state, block_id, "accept") or answer_of(e.state, step.id, "accept", "optional_destructive")
        if stored is None and step.optional and step.command is not None and step.command.destructive:
            # Consent to an optional destructive command is also the decision to run it: one answer, one effect.
            consent = answer_of(e.state, step.id, "destructive", "destructive_command")
            stored = consent if consent is not None and consent[0].verb == "allow" else None
        if stored is None and ((e.options.yes and not step.optional) or step.block in e.accepted):
            return
        if stored is None:
            commands = [s.command.text for s in e.plan.steps if s.block == step.block and s.command]
            if step.optional:
                # A command that says it is optional is answered by its line; an optional section's block by its own.
                item = step.id if step.command is not None and step.command.optional else block_id
                e.reporter.say(f"  an optional step (the checklist says “{step.optional.strip('()')}”)", "yellow")
                if not e.people.interactive:
                    raise NeedPerson(
                        Need(
                            item,
                            f"a person to decide whether to run an optional step (“{step.optional.strip('()')}”)",
                            f"golive confirm {e.run.id} {item} to run it, or --skip REASON to skip it",
                            "accept",
                        )
                    )
            for c in commands:
                e.reporter.say(f"    $ {e.masker(c).splitlines()[0]}", "bold")
            answer = e.people.accept(block_id, commands)
            if answer.verb in ("yes", "confirm"):
                e.record(E.ANSWER, block_id, e.actor, verb="accept", need="accept")
        else:
            answer = stored[0]
        if answer.verb == "abort":
            raise Abort(f"aborted by {e.actor} before {step.id}", by_person=True)
        if answer.verb == "skip":
            e.record(E.ANSWER, block_id, e.actor, verb="skip", need="accept", reason=answer.reason)
            if step.optional and step.optional == step.section.optional:
                # An optional section skipped is skipped whole: its other blocks too.
                e.skipped_blocks.update(s.block for s in e.plan.steps if s.section is step.section and s.block)
            raise _SkipBlock(
                answer.reason or (f"optional ({step.optional.strip('()')}): skipped" if step.optional else "")
            )
        e.accepted.add(step.block)

    def _unset_variables(self, step: PlanStep, text: str) -> None:
        """A variable the command reads that neither the session, its environment nor a field holds is
        asked for now (or the run pauses naming it): `Bearer $TOKEN` never runs as `Bearer ` in silence."""
        e = self.e
        assert e.shell is not None
        names = read_unset_candidates(text)
        if not names:
            return
        held = set_in_dump(declarations_of(e.shell.state.dump)) | set(e.shell.state.variables) | set(e.values)
        for name in (n for n in names if n not in held):
            setter = self._set_by(step, name)
            gone = "its value is gone" if setter and e.state.done(setter) else "it has not run in this run"
            why = f"{step.id} reads ${name}, which is not set in the session" + (
                f" ({setter} sets it; {gone})" if setter else ""
            )
            e.reporter.say(f"  {why}", "yellow")
            secret = e.is_secret(name)
            value = e.people.field(name, why, secret, (), "").value
            self.runner.set_value(name, value, secret, f"asked: {why}")

    def _set_by(self, step: PlanStep, name: str) -> str:
        """The earlier step that sets `name` in the session, if the plan has one."""
        from golive.plan import assigned_variables

        found = ""
        for s in (*self.e.plan.steps, *self.e.plan.rollback):
            if s.id == step.id:
                break
            if s.command is not None and s.command.lang == "bash" and name in assigned_variables(s.command.text):
                found = s.id
        return found

    def _attempt(self, step: PlanStep, text: str, shown: str, attempt: int) -> tuple[str, str]:
        e = self.e
        cmd = step.command
        assert cmd is not None and e.shell is not None
        e.record(
            E.STEP_STARTED,
            step.id,
            phase=step.phase.value,
            attempt=attempt,
            command=shown,
            session=e.shell.session_id,
            n=e.shell.next_number,
            mode=cmd.mode.value,
        )
        e.reporter.command(shown)
        if cmd.mode is Mode.SERVICE:
            return self._service(step, text)
        result = self._run(step, text)
        if result.still_running:
            return self._handed_over(step, result)
        verdict_status, reason, judged_by = self._judge(step, result)
        status = verdict_status
        if cmd.mode is Mode.OBSERVE and result.stopped and not e.interrupted:
            # Still going when its window closed: the exit status is golive's stop, not a verdict.
            status = "observed"
            reason = f"a bounded observation: watched for {result.duration_s:.0f} s, then stopped by golive"
        elif result.stopped and e.interrupted:
            status, reason = FAILED, "interrupted by the operator"
            e.interrupted = False
        outputs = self._save_outputs(step, attempt, result)
        e.record_session_state()
        e.finish_step(
            step,
            status,
            reason,
            judged_by,
            result.duration_s,
            exit_code=result.exit_code,
            timed_out=result.timed_out,
            outputs=outputs,
            attempt=attempt,
        )
        return status, reason

    def _run(self, step: PlanStep, text: str) -> CommandResult:
        e = self.e
        cmd = step.command
        assert cmd is not None and e.shell is not None
        window = e.options.follow_window_s if cmd.mode is Mode.OBSERVE else None
        says_server = "server" in " ".join((step.section.title, *cmd.comments)).lower()

        def detect(result: CommandResult, procs: list) -> bool:  # type: ignore[type-arg]
            return bool(svc.looks_like_service(procs, result.stdout, result.stderr, says_server))

        if step.interactive and self._at_terminal():
            return self._at_the_terminal(step, text)
        secret_names = secret_assignments(text)
        if secret_names:
            e.reporter.hold(secret_names)
        learned = False
        piped = cmd.mode is Mode.RUN and judges_pipe(text)
        self._pipe = ()
        try:
            result = e.shell.run(
                text + _PIPE_TRAILER if piped else text,
                timeout=e.options.timeout_s,
                window=window,
                on_output=e.reporter.output,
                detect_service=detect if cmd.mode is Mode.RUN else None,
                service_after=e.options.start_window_s,
                stop_requested=lambda: e.interrupted,
                extend_window=lambda watched: e.people.watch_longer(step.id, watched),
            )
            learned = not result.still_running  # a command handed over as a service never dumped its state
            result.command = result.command.removesuffix(_PIPE_TRAILER)
            self._pipe = self._pipestatus(result.n) if piped and learned else ()
            return result
        except (SessionLost, ShellError) as ended:
            return self._in_a_new_session(step, text, ended)
        finally:
            e.reporter.release(show=learned)

    def _in_a_new_session(self, step: PlanStep, text: str, ended: ShellError | SessionLost) -> CommandResult:
        """The command ended its shell session, or had to be stopped by ending it: a new one continues."""
        e = self.e
        if isinstance(ended, SessionLost):
            e.replace_session(f"{step.id} had to be stopped by ending its shell session; a new session continues")
            return ended.result
        assert e.shell is not None
        code = e.shell.proc.returncode if e.shell.proc is not None else None
        e.replace_session(f"{step.id} ended the shell session (`exit {code}`); a new session continues")
        from golive.run.output import Capture

        return CommandResult(e.masker(text), code, Capture(), Capture(), 0.0)

    def _at_terminal(self) -> bool:
        from golive.run.interactive import has_terminal

        return self.e.people.interactive and not self.e.options.non_interactive and has_terminal()

    def _at_the_terminal(self, step: PlanStep, text: str) -> CommandResult:
        """An interactive command gets the operator's terminal (a pty golive relays and records)."""
        from golive.run.interactive import run_at_terminal

        e = self.e
        assert e.shell is not None
        said = f"  it reads your input (the checklist says “{step.interactive}”): it has your terminal"
        e.reporter.say(said, "yellow")
        e.reporter.stop_ticker()
        try:
            # A person is there: no timeout but theirs (Ctrl-C reaches the command).
            return run_at_terminal(e.shell, text)
        except (SessionLost, ShellError) as ended:
            return self._in_a_new_session(step, text, ended)

    def _pipestatus(self, n: int) -> tuple[int, ...]:
        """The exit status of each side of command `n`'s last pipeline, as its trailer left it."""
        assert self.e.shell is not None
        held = self.e.shell.state.variables
        if held.get("__golive_psn") != str(n):
            return ()  # the trailer did not run (the command returned early): nothing to add
        try:
            return tuple(int(s) for s in held.get("__golive_ps", "").split())
        except ValueError:
            return ()

    def _judge(self, step: PlanStep, result: CommandResult, unjudgeable: str = "") -> tuple[str, str, str | None]:
        """unjudgeable: why its output cannot be judged (not kept after golive was killed): a person judges."""
        e = self.e
        assert step.command is not None
        e.reporter.stop_ticker()  # the command has ended
        if unjudgeable:
            verdict = Verdict(PERSON, unjudgeable)
        else:
            exit_code, piped = result.exit_code, ""
            left = [s for s in self._pipe[:-1] if s not in (0, _SIGPIPE)]
            if exit_code == 0 and left and not result.timed_out:
                # `pg_restore --list x | head` exits as head does: judged as with `set -o pipefail`.
                exit_code = left[-1]
                shown = " ".join(str(s) for s in self._pipe)
                piped = f" (a command before a `|` failed: exit statuses {shown}; a pipe is judged as with pipefail)"
            # Judged on what the command printed, not on its masked copy: a value the masker takes for a
            # secret (a commit hash) must still be found; the reason, which may quote output, is masked.
            verdict = judge(step.command, exit_code, result.out, result.err, result.timed_out, e.values)
            verdict = dataclasses.replace(verdict, reason=e.masker(verdict.reason + piped))
        if verdict.status != PERSON:
            return verdict.status, verdict.reason, None
        stored = answer_of(e.state, step.id, "judge")
        if stored is not None:
            answer, actor = stored
        else:
            try:
                answer, actor = e.people.judge(step.id, result.command, e.masker(result.out), verdict.reason), e.actor
            except NeedPerson:
                self._await_judgement(step, result, verdict.reason)
                raise
        return self._judgement(verdict.reason, answer, actor)

    @staticmethod
    def _judgement(expectation: str, answer: Answer, actor: str) -> tuple[str, str, str | None]:
        if answer.verb in ("passed", "confirm", "yes"):
            return "passed", f"{expectation}: judged by a person", actor
        if answer.verb == "skip":
            return "skipped", f"{expectation}: not judged, skipped: {answer.reason}", actor
        return FAILED, f"{expectation}: a person said no: {answer.reason}", actor

    def _await_judgement(self, step: PlanStep, result: CommandResult, expectation: str) -> None:
        """Pausing for a judgement keeps what ran: its outcome so far and its output are recorded, so
        the answer given later becomes the judgement and the command is not run again."""
        e = self.e
        attempt = e.state.steps[step.id].attempts if step.id in e.state.steps else 1
        outputs = self._save_outputs(step, attempt, result)
        e.record_session_state()
        e.finish_step(
            step,
            "paused",
            f"waiting for a person to judge its output: {expectation}",
            None,
            result.duration_s,
            exit_code=result.exit_code,
            timed_out=result.timed_out,
            outputs=outputs,
            attempt=attempt,
            awaiting="judge",
            expectation=expectation,
        )

    def _judged_later(self, step: PlanStep) -> str:
        """The judgement a paused step waited for: a stored answer, or asked now beside its recorded output."""
        e = self.e
        record = e.state.steps[step.id]
        expectation = str(record.data.get("expectation", ""))
        stored = answer_of(e.state, step.id, "judge")
        if stored is not None:
            answer, actor = stored
        else:
            output = "".join(o.text for o in e.store.outputs(e.run.id) if o.id in record.outputs)
            for line in output.splitlines()[:40]:
                e.reporter.say(f"  │ {line}", "dim")
            answer, actor = e.people.judge(step.id, str(record.data.get("command", "")), output, expectation), e.actor
        status, reason, judged_by = self._judgement(expectation, answer, actor)
        e.finish_step(
            step,
            status,
            reason,
            judged_by,
            record.duration_s,
            exit_code=record.exit_code,
            outputs=record.outputs,
            attempt=record.attempts,
        )
        if status != FAILED:
            return status
        return self.runner.after_failure(step, reason, retryable=True)

    def _answered_before_running(self, step: PlanStep) -> str | None:
        """`golive confirm --skip / --done` given for a step that failed, waits to be run by hand, or has
        not run yet: the answer is its outcome, and it does not run."""
        e = self.e
        stored = answer_of(e.state, step.id, "failed", "by_hand", "command", "destructive_command")
        if stored is None or stored[0].verb not in ("skip", "done", "fail"):
            return None
        answer, actor = stored
        if answer.verb == "fail":  # run by hand (an interactive command), and it failed
            reason = f"{actor} ran it by hand and it failed: {answer.reason}"
            e.finish_step(step, FAILED, reason, actor)
            return self.runner.after_failure(step, reason, retryable=False)
        record = e.state.steps.get(step.id)
        before = "it failed when golive ran it; " if record is not None and record.status == FAILED else ""
        if answer.verb == "done":
            how = f": {answer.reason}" if answer.reason else ""
            return e.finish_step(step, "confirmed", f"{before}{actor} did it by hand{how}", actor)
        return e.finish_step(step, "skipped", f"{before}skipped: {answer.reason}", actor)

    def _consent(self, step: PlanStep, shown: str) -> str | None:
        """A destructive command runs only with a person's consent, recorded as such (allowed by NAME)."""
        e = self.e
        assert step.command is not None
        stored = answer_of(e.state, step.id, "destructive", "destructive_command", "optional_destructive")
        if stored is not None and stored[0].verb in ("allow", "skip", "abort"):
            answer, actor = stored  # its answer event is the record of the consent
        elif e.options.allow_destructive:
            answer, actor = Answer("allow"), e.actor
            e.record(E.ANSWER, step.id, actor, verb="allow", need="destructive", how="--allow-destructive")
        else:
            answer, actor = e.people.destructive(step.id, shown, step.command.destructive), e.actor
            if answer.verb == "allow":
                e.record(E.ANSWER, step.id, actor, verb="allow", need="destructive", how="at the terminal")
        if answer.verb == "abort":
            raise Abort(f"aborted at destructive command {step.id}", by_person=True)
        if answer.verb == "allow":
            e.reporter.say(f"  destructive ({step.command.destructive}): allowed by {actor}", "yellow")
            return None
        return e.finish_step(step, "skipped", f"destructive command not allowed: {answer.reason}", actor)

    def _save_outputs(self, step: PlanStep, attempt: int, result: CommandResult) -> list[int]:
        e = self.e
        ids = []
        for stream, capture in (("out", result.stdout), ("err", result.stderr)):
            if capture.total:
                head, tail = capture.parts()
                ids.append(
                    e.store.save_output(
                        e.run.id, step.id, attempt, stream, e.masker(head), e.masker(tail), capture.total, capture.cut
                    )
                )
        return ids

    def _service(self, step: PlanStep, text: str) -> tuple[str, str]:
        """A known service: start it in the background and wait until it is ready."""
        e = self.e
        cmd = step.command
        assert cmd is not None and e.shell is not None
        backgrounds_itself = text.rstrip().endswith("&")
        result = e.shell.run(text, timeout=e.options.timeout_s, background=not backgrounds_itself, keep_outputs=True)
        out, err = result.out_path, result.err_path
        pid = result.background_pid
        if pid is None:
            e.finish_step(step, FAILED, "it did not start a background process", exit_code=result.exit_code)
            return FAILED, "no background process"
        ready = svc.wait_ready(pid, cmd.port, out, err, e.options.service_timeout_s)
        e.record_session_state()
        if not ready.ready:
            reason = f"service did not become ready: {ready.how}"
            if svc.alive(pid):
                from golive.run.shell import stop_processes

                stop_processes(svc.tree(pid))
            log = _read(out) + _read(err)
            ids = (
                [e.store.save_output(e.run.id, step.id, 1, "service", e.masker(log[:65536]), "", len(log), 0)]
                if log
                else []
            )
            e.finish_step(step, FAILED, reason, exit_code=ready.exit_code, outputs=ids)
            return FAILED, reason
        port = ready.ports[0] if ready.ports else cmd.port
        e.services.append(Service(step.id, pid, port, out, err, ready.how))
        e.record(E.SERVICE_STARTED, step.id, pid=pid, port=port, log=out, ready=ready.how, how="background")
        self._announce(step, pid, port)
        reason = f"service started in the background (pid {pid}); ready: {ready.how}"
        e.finish_step(step, "passed", reason, exit_code=None)
        return "passed", reason

    def _handed_over(self, step: PlanStep, result: CommandResult) -> tuple[str, str]:
        """A command still running after its start window turned out to be a service."""
        e = self.e
        assert e.shell is not None
        procs = e.shell.step_processes(result.n)
        pid = procs[0].pid if procs else 0
        ports = svc.listening_ports(procs)
        out, err = result.out_path, result.err_path
        e.services.append(Service(step.id, pid, ports[0] if ports else None, out, err, "kept its terminal"))
        e.record(
            E.SERVICE_STARTED,
            step.id,
            pid=pid,
            port=ports[0] if ports else None,
            log=out,
            ready=svc.looks_like_service(procs, result.stdout, result.stderr, True),
            how="kept its session",
        )
        e.replace_session(f"{step.id} keeps running in the previous session, like a second terminal", keep_old=True)
        self._announce(step, pid, ports[0] if ports else None)
        reason = f"still running after {result.duration_s:.0f} s and serving: left running (pid {pid})"
        e.finish_step(step, "passed", reason, duration_s=result.duration_s)
        return "passed", reason

    def _announce(self, step: PlanStep, pid: int, port: int | None) -> None:
        """Later steps know the service: GOLIVE_SERVICE_PID/_PORT (the latest) and …_L154 (this one)."""
        assert self.e.shell is not None
        values = {"GOLIVE_SERVICE_PID": str(pid), f"GOLIVE_SERVICE_PID_{step.id}": str(pid)}
        if port is not None:
            values |= {"GOLIVE_SERVICE_PORT": str(port), f"GOLIVE_SERVICE_PORT_{step.id}": str(port)}
        self.e.shell.set_variables(values)

    def _fail(self, step: PlanStep, reason: str) -> str:
        self.e.finish_step(step, FAILED, reason)
        return self.runner.after_failure(step, reason, retryable=False)

    def _sudo_works(self) -> bool:
        """Would sudo run without asking for a password? (No sudo at all: let the command say so.)"""
        if self._sudo_ok is None:
            if shutil.which("sudo") is None:
                self._sudo_ok = True
            else:
                probe = subprocess.run(
                    ["sudo", "-n", "true"],
                    capture_output=True,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                    timeout=10,
                )
                self._sudo_ok = probe.returncode == 0
        return self._sudo_ok


def _held(e: object, key: str) -> bool:
    """Does the session hold `key` now (a variable: not empty)?"""
    from golive.run.shellstate import kept_texts

    shell = e.shell  # type: ignore[attr-defined]
    kind, name = key.split(":", 1)
    if kind == "var":
        return bool(shell.state.variables.get(name)) or key in kept_texts(shell.state, {})
    return key in kept_texts(shell.state, {})


class _SkipBlock(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _read(path: str, limit: int = 65536) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""
