"""A seed run through golive in its rehearsal environment, and what every rehearsal asserts about it.

`Rehearsal.run()` is the operator's `golive run SEED --env rehearsal --profile PROFILE --non-interactive`;
`run_at_terminal()` the same at a real terminal. The assertions read the run's JSON and Markdown
reports and its record: the outcome table item by item, who answered, what verified each pass, that
no command ran with a placeholder, and that the Markdown report says it all.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers import golive


@dataclass
class Rehearsal:
    """A seed run through golive, as written, in the rehearsal environment of its stand-in.

    `run()` is `golive run SEED --env rehearsal --profile PROFILE --non-interactive`, in the stand-in's
    directory, with the stand-in's `${…}` values in the environment and a record of its own.
    """

    seed: Path
    profile: Path
    cwd: Path
    home: Path
    env: dict[str, str] = field(default_factory=dict)
    wall_s: float = 0.0  # how long the last run() took
    transcript: io.StringIO = field(default_factory=io.StringIO)  # what the terminal showed (run_at_terminal)

    def _environment(self) -> dict[str, str]:
        environment = {
            **os.environ,
            "GOLIVE_HOME": str(self.home),
            "NO_COLOR": "1",
            "REHEARSAL_PYTHON_BIN": str(Path(sys.executable).parent),
            **self.env,
        }
        environment.pop("GOLIVE_DATABASE_URL", None)
        return environment

    def golive(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return golive(*args, cwd=self.cwd, env=self._environment(), timeout=timeout)

    def run(self, *extra: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        began = time.monotonic()
        done = self.golive(
            "run",
            str(self.seed),
            "--env",
            "rehearsal",
            "--profile",
            str(self.profile),
            "--non-interactive",
            *extra,
            timeout=timeout,
        )
        self.wall_s = time.monotonic() - began
        return done

    def run_at_terminal(self, answers: list[tuple[str, str]], *extra: str, timeout: float = 300) -> int:
        """`golive run` at a real terminal (a pty), typing `answers` (prompt, reply) as they come, in order.

        For a command that asks a person questions (seed 001's migration): golive hands it the terminal.
        Anything else golive would ask is answered by the profile; an unexpected prompt times out.
        """
        import pexpect

        environment = {**self._environment(), "TERM": "dumb"}
        began = time.monotonic()
        child = pexpect.spawn(
            sys.executable,
            ["-m", "golive", "run", str(self.seed), "--env", "rehearsal", "--profile", str(self.profile), *extra],
            cwd=str(self.cwd),
            env=environment,
            encoding="utf-8",
            timeout=timeout,
            dimensions=(50, 200),
        )
        self.transcript = io.StringIO()
        child.logfile_read = self.transcript
        for prompt, reply in answers:
            child.expect_exact(prompt)
            child.sendline(reply)
        child.expect(pexpect.EOF)
        child.close()
        self.wall_s = time.monotonic() - began
        return int(child.exitstatus if child.exitstatus is not None else 128 + (child.signalstatus or 0))

    def report(self, run: str = "last") -> dict[str, Any]:
        done = self.golive("report", run, "--format", "json")
        assert done.returncode == 0, done.stderr
        report: dict[str, Any] = json.loads(done.stdout)
        return report

    def markdown(self, run: str = "last") -> str:
        done = self.golive("report", run, "--format", "md")
        assert done.returncode == 0, done.stderr
        return done.stdout

    def events(self, kind: str | None = None) -> list[Any]:
        """The run's record, event by event (the last run)."""
        from golive.record.store import Store

        store = Store.open(self.home)
        try:
            run = store.run("last")
            return [e for e in store.events(run.id) if kind is None or e.type == kind]
        finally:
            store.close()

    def commands_run(self) -> list[str]:
        """Every command the run started, as recorded in its step_started events."""
        return [e.data["command"] for e in self.events("step_started") if e.data.get("command")]


def steps_by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["id"]: step for step in report["steps"]}


# --- what every rehearsal asserts --------------------------------------------------------------------

PLACEHOLDER = re.compile(r"<[A-Za-z][\w -]*>|YOUR_[A-Z_]+|YYYYMMDD|\[insert|\.\.\.(?=\s|$|\")|example\.com")


def outcomes(table: str) -> dict[str, str]:
    """`status  ID ID …` lines -> {ID: status}: the outcome table a test expects, item by item."""
    expected: dict[str, str] = {}
    for line in table.strip().splitlines():
        status, *ids = line.split()
        for item in ids:
            assert item not in expected, f"{item} is listed twice"
            expected[item] = status
    return expected


def assert_outcomes(report: dict[str, Any], expected: dict[str, str]) -> None:
    """Every step of the run has the expected status, and no step is missing or unexpected."""
    actual = {step["id"]: step["status"] for step in report["steps"]}
    wrong = {i: f"{actual.get(i, 'absent')} (expected {want})" for i, want in expected.items() if actual.get(i) != want}
    extra = {i: s for i, s in actual.items() if i not in expected}
    assert not wrong and not extra, f"differs: {wrong}; not expected: {extra}"


def assert_attributed(report: dict[str, Any], people: set[str], live: tuple[str, ...] = ()) -> None:
    """What a person answered names the person and, unless answered during the run (`live`), says the
    profile pre-recorded it; a skip says why."""
    for step in report["steps"]:
        if step["status"] not in ("confirmed", "skipped", "approved"):
            continue
        assert step["actor"] in people, f"{step['id']}: answered by {step['actor']!r}, not a named person"
        mark = step.get("prerecorded") or ""
        if step["id"] in live:
            assert not mark, f"{step['id']} was answered during the run, not by the profile"
        else:
            assert mark.startswith("pre-recorded by profile rehearsal"), f"{step['id']}: {mark!r}"
        if step["status"] == "skipped":
            assert step["reason"].strip(), f"{step['id']} skipped without a reason"


def assert_verified(report: dict[str, Any]) -> None:
    """A passed command exited 0 (and met its expectations); a passed check held every expectation."""
    for step in report["steps"]:
        if step["status"] != "passed":
            continue
        if step["kind"] == "command" and step["exit_code"] is None:
            assert step["reason"].startswith("service started"), f"{step['id']} passed without an exit status"
        elif step["kind"] == "command":
            assert step["exit_code"] == 0, f"{step['id']} passed with exit {step['exit_code']}"
        elif step["kind"] == "check":
            assert step["facts"] and all(f["ok"] for f in step["facts"]), f"{step['id']}: {step['facts']}"
        else:
            raise AssertionError(f"{step['id']} ({step['kind']}) passed: only commands and checks pass")


def assert_no_placeholder_ran(commands: list[str], also: tuple[str, ...] = ()) -> None:
    """No command the run started still held a placeholder (a generic shape, or one the seed writes)."""
    assert commands, "the run started no command"
    for command in commands:
        found = PLACEHOLDER.search(command)
        assert found is None, f"ran with placeholder {found.group(0)!r}: {command}"
        for text in also:
            assert text not in command, f"ran with placeholder {text!r}: {command}"


def assert_md_complete(md: str, report: dict[str, Any]) -> None:
    """The Markdown report names the run, its verdict, the profile, and every step a person or golive settled."""
    run = report["run"]
    assert f"`{run['id']}`" in md
    assert "environment profile `rehearsal`" in md
    for status, count in report["counts"].items():
        assert f"{count} {status.replace('_', ' ')}" in md, f"the report's counts lack {count} {status}"
    for step in report["steps"]:
        if step["actor"]:
            assert step["actor"] in md, f"{step['id']}: {step['actor']} is not in the report"
    answered = [s for s in report["steps"] if s.get("prerecorded")]
    shown = md.count("pre-recorded by profile rehearsal")
    kinds = sorted({f"{s['kind']}:{s['id']}" for s in answered if s["kind"] not in ("confirm", "signoff")})
    assert shown >= len(answered), f"{len(answered)} pre-recorded answers, {shown} shown (besides items: {kinds})"
