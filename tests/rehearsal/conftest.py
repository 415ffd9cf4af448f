"""What the seed rehearsals share: ports, processes, git, venvs, PostgreSQL, Redis, golive runs.

A rehearsal (tests/rehearsal/<system>/) builds a local stand-in of the seed's system in a temp dir,
on loopback ports, and runs the seed as written through `golive run --profile <system>/rehearsal.yaml`.
Real tools wherever they run here; the stand-in commands in `bin/` (systemctl, supervisorctl, sudo,
pkill) replace only what cannot, and log each call to $REHEARSAL_CALLS (see bin/_standin.py).

Services the rehearsal needs (PostgreSQL 127.0.0.1:5432, Redis 127.0.0.1:6379) are real; without
them a test skips on a developer machine and fails under CI=true.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI
from tests.helpers import golive

HERE = Path(__file__).resolve().parent
SHARED_BIN = HERE / "bin"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/0"
WAIT_S = 20.0
LAUNCHERS = {  # the console scripts a venv with these packages installed would have
    "pip": "from pip._internal.cli.main import main\nsys.exit(main())",
    "pytest": "import pytest\nsys.exit(pytest.main())",
}

# The stand-ins' own apps (their tests included) are files of the systems rehearsed, not golive's tests.
collect_ignore_glob = ["*/app/*"]


def unavailable(reason: str) -> None:
    """Skip on a developer machine; under CI=true a missing service fails the suite."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the rehearsals must run, not skip)")
    pytest.skip(reason)


def free_port() -> int:
    """A loopback port nobody listens on now, for a server whose port must be known before it starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1.0)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until(what: str, predicate: Callable[[], bool], timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def stop_pid(pid: int, timeout: float = 10.0) -> None:
    """End a process (and its group, when it leads one) that this test started."""
    for signum in (signal.SIGTERM, signal.SIGKILL):
        try:
            if os.getpgid(pid) == pid:
                os.killpg(pid, signum)
            else:
                os.kill(pid, signum)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not alive(pid):
            return


def rehearsal_pids(rehearsal_id: str) -> list[int]:
    """Processes still carrying this rehearsal's REHEARSAL_ID (everything its shell started)."""
    marker = f"REHEARSAL_ID={rehearsal_id}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0") and alive(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def git(cwd: Path, *args: str) -> str:
    """`git ARGS` in `cwd`, with an identity, failing the test with git's own message."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Rehearsal",
        "GIT_AUTHOR_EMAIL": "rehearsal@example.test",
        "GIT_COMMITTER_NAME": "Rehearsal",
        "GIT_COMMITTER_EMAIL": "rehearsal@example.test",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"git {' '.join(args)} in {cwd}: {done.stderr.strip()}")
    return done.stdout.strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def clone_with_origin(work: Path, origin: Path) -> None:
    """Make `work` (a repo with commits on main) a clone of a new bare `origin`, tracking origin/main."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "-u", "origin", "main")


def make_venv(path: Path) -> Path:
    """A virtualenv at `path` that sees the test environment's packages (Flask, requests, pytest…).

    `python -m venv` without pip takes milliseconds; a .pth file adds this environment's
    site-packages, and `pip` and `pytest` are the ones from there. `pip install -r requirements.txt` whose
    requirements are already met then needs no network, as on a machine that has them.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    venv_python = path / "bin" / "python"
    purelib = subprocess.run(
        [str(venv_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = [entry for entry in sys.path if entry.endswith("site-packages")] or [sysconfig.get_paths()["purelib"]]
    Path(purelib, "rehearsal_base.pth").write_text("\n".join(ours) + "\n")
    for name, entry in LAUNCHERS.items():
        launcher = path / "bin" / name
        launcher.write_text(f"#!{venv_python}\nimport sys\n{entry}\n")
        launcher.chmod(0o755)
    return path


@dataclass
class Calls:
    """The stand-in commands' call log ($REHEARSAL_CALLS), one JSON object per call."""

    path: Path

    def all(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    def of(self, cmd: str) -> list[dict[str, Any]]:
        return [c for c in self.all() if c["cmd"] == cmd]


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


@dataclass(frozen=True)
class PgDatabase:
    name: str
    url: str  # postgresql://postgres@127.0.0.1:5432/NAME


@contextmanager
def fresh_database() -> Iterator[PgDatabase]:
    """A new, uniquely named PostgreSQL database, dropped (connections and all) afterwards."""
    import psycopg

    try:
        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL at {PG_SERVER} is unreachable: {exc}".strip())
    name = f"rehearsal_{secrets.token_hex(5)}"
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield PgDatabase(name, f"{PG_SERVER}/{name}")
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def redis_keys() -> Iterator[str]:
    """A key prefix of its own on the shared Redis; its keys are deleted afterwards (never FLUSH*)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at {REDIS_URL} is unreachable: {exc}")
    prefix = f"rehearsal:{secrets.token_hex(5)}:"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture
def pg_database() -> Iterator[PgDatabase]:
    with fresh_database() as database:
        yield database


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    with redis_keys() as prefix:
        yield prefix


def tool_path(*first: Path) -> str:
    """PATH for a stand-in's shell: the given dirs, the shared stand-ins, this Python's bin, then the rest."""
    return ":".join([*map(str, first), str(SHARED_BIN), str(Path(sys.executable).parent), os.environ["PATH"]])


def bash(
    script: str, cwd: Path, env: dict[str, str], stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `script` in bash the way an operator types it, with the stand-in's environment."""
    return subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env={**os.environ, "PATH": tool_path(), "PIP_DISABLE_PIP_VERSION_CHECK": "1", **env},
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


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
    answered = sum(1 for s in report["steps"] if s.get("prerecorded"))
    assert md.count("pre-recorded by profile rehearsal") >= answered
