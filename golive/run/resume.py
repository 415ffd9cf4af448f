"""After a kill -9: what the killed run's shell sessions say happened to the step in flight.

golive records a step's start before it runs; if golive dies before the end, the record alone
cannot say whether the command ran. The session's journal (evidence.py), written by bash, can:

- its end is there: the step finished, with that exit status (and its output, if golive was
  still alive to keep it), and is recorded so; it is never run again;
- its start is not there, in a journal that exists: it never began, and simply runs;
- its start is there, no end, and its bash is gone: truly unknown, a person says (in doubt).

A session that is still running the command when the resume begins is waited for (up to the
run's --timeout from the command's start) and then read; past that it is stopped, bash
first, so that nothing more of it runs, and the step is in doubt.
"""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from golive.model import Mode
from golive.plan import Kind, PlanStep
from golive.record.events import EventType as E
from golive.run import evidence
from golive.run.judge import FAILED
from golive.run.output import Capture, FileTail
from golive.run.shell import CommandResult, kill_leftovers, remove_scratch, stop_processes
from golive.run.state import StepRecord
from golive.run.tracking import Tracker, cgroup_root, session_group_processes

if TYPE_CHECKING:
    from golive.run.steps import StepRunner

SETTLED, NEVER_STARTED, UNKNOWN = "settled", "never started", "unknown"
POLL_S = 0.05


def settle(runner: StepRunner, step: PlanStep, record: StepRecord) -> str:
    """Settle an in-doubt command step from its session's journal; UNKNOWN leaves it to a person."""
    e = runner.e
    session, n = str(record.data.get("session", "")), int(record.data.get("n", 0))
    if step.kind is not Kind.COMMAND or step.command is None or step.command.mode is Mode.SERVICE or not n:
        return UNKNOWN
    journal = evidence.of_run(e.scratch).get(session)
    if journal is None:
        return UNKNOWN  # no journal (an older golive, or lost with the host): nothing is known
    journal = _wait(runner, step, journal, n)
    if n in journal.ended:
        _finish(runner, step, record, journal, n)
        return SETTLED
    if n not in journal.started and journal.shell() is None:
        e.record(
            E.WARNING,
            step.id,
            message=f"{step.id} never started before golive was interrupted (its session's journal has no start)",
        )
        e.state.steps[step.id].status = "in_doubt"  # runs now, as if for the first time
        return NEVER_STARTED
    return UNKNOWN


def _wait(runner: StepRunner, step: PlanStep, journal: evidence.Journal, n: int) -> evidence.Journal:
    """The killed run's bash may still be running the command: wait for its end, within bounds."""
    e = runner.e
    shell = journal.shell()
    if shell is None:
        return journal
    assert step.command is not None
    bound = e.options.follow_window_s if step.command.mode is Mode.OBSERVE else e.options.timeout_s
    deadline = journal.started.get(n, time.time()) + (bound or 600.0)
    if n not in journal.ended:
        e.reporter.say(
            f"  {step.id} is still running in the session golive was killed in (bash pid {shell.pid}): "
            f"waiting for it to end (until {datetime.fromtimestamp(deadline, UTC):%H:%M:%S} UTC)",
            "yellow",
        )
    ended_at: float | None = None
    path = journal.directory / evidence.JOURNAL
    while True:
        journal = evidence.read(path) or journal
        now = time.time()
        if journal.shell() is None:
            return journal
        if n in journal.ended:
            ended_at = ended_at or now
            if now - ended_at > 5:  # its bash has nothing left to do: it ends at once
                break
        elif now >= deadline or e.stop_requested:
            break
        time.sleep(POLL_S)
    # Past the bound: bash first (it must not record or run anything more), then what the command started.
    with contextlib.suppress(Exception):
        shell.kill()
        shell.wait(5)
    kill_leftovers(journal.session, n)
    stop_processes([p for p in session_group_processes(journal.session) if p.pid != shell.pid])
    journal = evidence.read(path) or journal
    if n not in journal.ended:
        e.record(
            E.WARNING,
            step.id,
            message=f"{step.id} was still running {int(time.time() - journal.started.get(n, time.time()))} s "
            f"after it started, in the session golive was killed in: stopped it (bash pid {shell.pid})",
        )
    return journal


def _finish(runner: StepRunner, step: PlanStep, record: StepRecord, journal: evidence.Journal, n: int) -> None:
    """The step ended while golive was not running: record it as it ended, judged as usual."""
    e = runner.e
    assert step.command is not None
    end = journal.ended[n]
    out, err = Capture(), Capture()
    for path, capture in zip(journal.output(n), (out, err), strict=True):
        tail = FileTail(path)
        tail.read_new(capture, None)
        tail.close()
    began = journal.started.get(n, end.at)
    result = CommandResult(str(record.data.get("command", "")), end.status, out, err, max(0.0, end.at - began), n=n)
    kept = bool(out.total or err.total)
    checks_output = any(x.kind.value not in ("exit", "fails") for x in step.command.expectations)
    unjudgeable = (
        f"it ended with exit {end.status} while golive was not running, and its output was not kept: a person judges"
        if checks_output and not kept
        else ""
    )
    attempt = record.attempts or 1
    when = datetime.fromtimestamp(end.at, UTC)
    e.reporter.say(f"  {step.id} ended at {when:%H:%M:%S} UTC while golive was not running: exit {end.status}")
    status, reason, judged_by = runner.command_step._judge(step, result, unjudgeable)
    outputs = runner.command_step._save_outputs(step, attempt, result)
    reason = f"{reason} (ended at {when:%H:%M:%S} UTC while golive was not running: from its session's journal)"
    e.finish_step(
        step,
        status,
        reason,
        judged_by,
        result.duration_s,
        exit_code=end.status,
        outputs=outputs,
        attempt=attempt,
        evidence="session journal",
    )
    # As after any failure: retry (it runs again now), skip, abort or roll back, as asked.
    if status == FAILED and runner.after_failure(step, reason, retryable=True) != "retry":
        e.settled.add(step.id)


def forget_ended_sessions(runner: StepRunner) -> None:
    """Scratch files of the killed run's sessions that have ended: read, so removed (raw output, journals)."""
    e = runner.e
    current = e.shell.session_id if e.shell is not None else ""
    keep = {str(d.get("log", "")) for d in e.state.services.values()}
    keep |= {str(Path(k).with_suffix(".err")) for k in keep}
    for session, journal in evidence.of_run(e.scratch).items():
        if session != current and journal.shell() is None:
            remove_scratch(journal.directory, keep)
            Tracker(session, cgroup_root()).close()
