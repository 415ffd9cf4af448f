"""Running check steps: consecutive checks run together (asyncio, bounded by --concurrency), `needs`,
captures and `wait` order them; each is recorded like a command — started before it probes, finished
with its verdict and measured values before the run moves past the batch.

`CheckStep` belongs to a `StepRunner`: what to do after a failure is its.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from golive.checks import mark_key
from golive.checks.template import MissingVariable, fill
from golive.parse.hazards import is_secret_name
from golive.plan import Kind, PlanStep
from golive.record.events import EventType as E
from golive.run.judge import FAILED, PASSED

if TYPE_CHECKING:  # pydantic, httpx and the check types load with the first check, not with every run
    from golive.checks.base import Context, Result
    from golive.run.steps import StepRunner

_SOURCES = "no field, capture, --var, session or environment variable"


class CheckStep:
    """Runs the check steps of one `StepRunner`."""

    def __init__(self, runner: StepRunner) -> None:
        self.runner = runner
        self.e = runner.e
        self._results: dict[str, tuple[str, str]] = {}  # ran in this process, failure not yet handled
        self._alone = True
        self.captured: dict[str, str] = {}
        self.marks: dict[str, int] = {}
        steps = [*self.e.plan.steps, *self.e.plan.rollback, *self.e.plan.followups]
        self._lists = {
            s.id: (steps_of, i)
            for steps_of in (self.e.plan.steps, self.e.plan.rollback, self.e.plan.followups)
            for i, s in enumerate(steps_of)
        }
        self._checks = [s for s in steps if s.kind is Kind.CHECK and s.check is not None]
        self._step_logs = [s for s in self._checks if s.check and s.check.type == "log" and _since(s) == "step"]
        # `since: run` is since the run began, also after a resume: the marks the record kept come first.
        self._run_marks = {k: int(v) for k, v in dict(self.e.state.session.get("log_marks") or {}).items()}
        self.marks.update(self._run_marks)
        self._mark_logs("run", [s for s in self._checks if s.check and s.check.type == "log"])

    # --- the step loop's side ---------------------------------------------------------------------------

    def check(self, step: PlanStep) -> str:
        if step.id not in self._results:
            self._run(self._batch(step))
        while True:
            status, reason = self._results.pop(step.id)
            if status != FAILED:
                return status
            outcome = self.runner.after_failure(step, reason, retryable=True)
            if outcome != "retry":
                return outcome
            self._run([step])

    def before(self, step: PlanStep) -> None:
        """A step other than a check begins: `log` checks with `since: step` read from here on."""
        self._record_run_marks()
        if self._step_logs and step.kind is not Kind.CHECK:
            self._mark_logs("step", self._step_logs)

    def _batch(self, first: PlanStep) -> list[PlanStep]:
        """`first` and the checks right after it in the same section that are not done yet."""
        steps, start = self._lists[first.id]
        batch = []
        for step in steps[start:]:
            if step.kind is not Kind.CHECK or step.section is not first.section:
                break
            if step is first or not self.e.state.done(step.id):
                batch.append(step)
        return batch

    # --- running a batch --------------------------------------------------------------------------------

    def _run(self, batch: list[PlanStep]) -> None:
        e = self.e
        self._alone = len(batch) == 1  # its step line is already on screen
        if not self._alone:
            e.reporter.say(f"  {len(batch)} checks, up to {e.options.concurrency} at a time", "dim")
        ctx = self._context()
        try:
            asyncio.run(self._gather(batch, ctx))
        finally:
            e.record_session_state()

    async def _gather(self, batch: list[PlanStep], ctx: Context) -> None:
        from golive.checks.base import failed
        limit = asyncio.Semaphore(max(1, self.e.options.concurrency))
        done = {s.id: asyncio.Event() for s in batch}
        tasks = [asyncio.create_task(self._one(s, batch[:i], done, limit, ctx)) for i, s in enumerate(batch)]
        watcher = asyncio.create_task(self._watch_interrupt(tasks))
        try:
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            watcher.cancel()
            await ctx.close()
        for step, task in zip(batch, tasks, strict=True):
            if step.id not in self._results:  # cancelled by Ctrl-C, or a bug in the batch: never a pass
                error = task.exception() if not task.cancelled() else None
                why = "interrupted by the operator" if error is None else f"{type(error).__name__}: {error}"
                self._record(step, failed(why), attempt=self._attempt(step), started=False)
        if self.e.interrupted:
            self.e.interrupted = False

    async def _watch_interrupt(self, tasks: list[asyncio.Task[None]]) -> None:
        while not self.e.interrupted:
            await asyncio.sleep(0.1)
        for t in tasks:
            t.cancel()

    async def _one(
        self,
        step: PlanStep,
        earlier: list[PlanStep],
        done: dict[str, asyncio.Event],
        limit: asyncio.Semaphore,
        ctx: Context,
    ) -> None:
        from golive.checks.base import failed
        from golive.checks.execute import execute

        try:
            blockers = _depends_on(step, earlier)
            for other in blockers:
                await done[other.id].wait()
            reason = self._unmet(step, blockers)
            attempt = self._attempt(step)
            if reason:
                self._record(step, failed(reason), attempt, started=False)
                return
            try:
                data = fill(step.check.data if step.check else {}, self._lookup)
            except MissingVariable as missing:
                why = f"{{{{ {missing.name} }}}} is not set ({_SOURCES} {missing.name}), check at line {step.line}"
                self._record(step, failed(why), attempt, started=False)
                return
            async with limit:
                self.e.record(
                    E.STEP_STARTED,
                    step.id,
                    phase=step.phase.value,
                    attempt=attempt,
                    check=self._shown(_summary(step, data)),
                    type=step.check.type if step.check else "",
                )
                result = await execute(data, ctx)
            self._keep_captures(result)
            self._record(step, result, attempt)
        finally:
            done[step.id].set()

    def _unmet(self, step: PlanStep, blockers: list[PlanStep]) -> str:
        """Why a check cannot run: a check it needs failed or has not run, or no check has that name."""
        assert step.check is not None
        needed = list(blockers)
        for name in step.check.needs:
            named = [s for s in self._checks if s.check and s.check.name == name]
            if not named:
                return f"not run: it needs a check named {name!r}, and none has that name"
            needed += [s for s in named if s not in needed]
        for other in needed:
            record = self.e.state.steps.get(other.id)
            status = record.status if record is not None else ""
            if status != PASSED:
                return f"not run: it needs {other.id} ({_name(other)}), which {status or 'has not run'}"
        return ""

    def _record(self, step: PlanStep, result: Result, attempt: int, started: bool = True) -> None:
        e = self.e
        if not started:
            e.record(E.STEP_STARTED, step.id, phase=step.phase.value, attempt=attempt, check=step.text)
        status = PASSED if result.passed else FAILED
        if not self._alone:  # in a batch, results come as checks finish: each says which it is
            e.reporter.step(self._index(step), f"{step.section.title} › {step.id} {e.masker(step.text)[:100]}")
        e.finish_step(
            step,
            status,
            result.reason,
            duration_s=result.duration_s,
            attempt=attempt,
            tries=result.attempts,
            measured=self._masked(result.measured),
            facts=[[f.ok, e.masker(f.text)] for f in result.facts],
        )
        self._results[step.id] = (status, e.masker(result.reason))

    # --- variables --------------------------------------------------------------------------------------

    def _lookup(self, name: str) -> str | None:
        """A template's value: a capture, the session's variables, a field or --var, the environment."""
        e = self.e
        value = self.captured.get(name)
        if value is None and e.shell is not None:
            value = e.shell.state.variables.get(name) or e.shell.env.get(name)
        if value is None:
            value = e.values.get(name, os.environ.get(name))
        if value is not None and (e.is_secret(name) or is_secret_name(name)):
            e.masker.add(value)
        return value

    def _keep_captures(self, result: Result) -> None:
        e = self.e
        if not result.captured:
            return
        for name, value in result.captured.items():
            if name in result.secret_captures or e.is_secret(name):
                e.masker.add(value)
        self.captured.update(result.captured)
        if e.shell is not None:
            e.shell.set_variables(dict(result.captured))  # later commands see them too

    def _context(self) -> Context:
        from golive.checks.base import Context, failed
        from golive.checks.execute import execute
        e = self.e
        shell = e.shell
        env = dict(shell.env) if shell is not None else dict(os.environ)
        if shell is not None and shell.state.exported:
            env = dict(shell.state.exported)
        env.update({k: v for k, v in self.captured.items()})
        e.masker.add_named(env)
        cwd = Path(shell.state.cwd) if shell is not None and shell.state.cwd else Path(e.options.workdir)
        named = {s.check.name: s.check.data for s in self._checks if s.check and s.check.name}

        ctx = Context(
            cwd=cwd,
            env=env,
            run_started=time.time(),
            log_marks=dict(self.marks),
            named=named,
            concurrency=max(1, e.options.concurrency),
        )

        async def run_inner(data: dict[str, Any], ctx: Context) -> Result:
            try:
                return await execute(fill(data, self._lookup), ctx)
            except MissingVariable as missing:
                return failed(f"{{{{ {missing.name} }}}} is not set ({_SOURCES} {missing.name})")

        ctx.run_inner = run_inner
        return ctx

    # --- log marks --------------------------------------------------------------------------------------

    def _record_run_marks(self) -> None:
        """Where each log stood when the run began, into the record once: a resume reads from there."""
        fresh = {k: v for k, v in self.marks.items() if k.startswith("run:") and k not in self._run_marks}
        if fresh:
            self._run_marks.update(fresh)
            self.e.record(E.SESSION_STATE, log_marks=dict(self._run_marks))

    def _mark_logs(self, since: str, steps: list[PlanStep]) -> None:
        shell = self.e.shell
        cwd = Path(shell.state.cwd) if shell is not None and shell.state.cwd else Path(self.e.options.workdir)
        for step in steps:
            assert step.check is not None
            try:
                raw = fill(str(step.check.data.get("log", "")), self._lookup)
            except MissingVariable:
                continue  # its variable comes later: it reads from when it is first known
            path = Path(raw).expanduser()
            path = path if path.is_absolute() else cwd / path
            key = mark_key(path, since)
            if since == "run" and key in self.marks:
                continue  # the run's start is kept from when it was first seen
            try:
                self.marks[key] = path.stat().st_size
            except OSError:
                self.marks[key] = 0  # created later: all of it is new

    # --- helpers ----------------------------------------------------------------------------------------

    def _attempt(self, step: PlanStep) -> int:
        record = self.e.state.steps.get(step.id)
        return record.attempts + 1 if record is not None else 1

    def _index(self, step: PlanStep) -> int:
        return self._lists[step.id][1] + 1

    def _shown(self, text: str) -> str:
        from golive.checks.base import redact_url

        return self.e.masker(redact_url(text))

    def _masked(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._shown(value)
        if isinstance(value, dict):
            return {k: self._masked(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._masked(v) for v in value]
        return value


def _depends_on(step: PlanStep, earlier: list[PlanStep]) -> list[PlanStep]:
    """Checks of the batch before this one that it waits for: those it `needs` by name, those that
    capture a variable it uses, and any `wait` (a wait is a barrier)."""
    assert step.check is not None
    needs, uses = set(step.check.needs), set(step.check.uses)
    out = []
    for other in earlier:
        spec = other.check
        if spec is None:
            continue
        if (spec.name and spec.name in needs) or set(spec.captures) & uses or spec.type == "wait":
            out.append(other)
    return out


def _since(step: PlanStep) -> str:
    return str(step.check.data.get("since", "run")) if step.check else "run"


def _summary(step: PlanStep, data: dict[str, Any]) -> str:
    from golive.parse.annotations import summary

    return summary(step.check.type, data) if step.check else step.text


def _name(step: PlanStep) -> str:
    return step.check.name if step.check and step.check.name else step.text[:60]
