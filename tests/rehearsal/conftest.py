"""What the seed rehearsals share: ports, processes, git, venvs, PostgreSQL, Redis, golive runs.

A rehearsal (tests/rehearsal/<system>/) builds a local stand-in of the seed's system in a temp dir,
on loopback ports, and runs the seed as written through `golive run --profile <system>/rehearsal.yaml`.
Real tools wherever they run here; the stand-in commands in `bin/` (systemctl, supervisorctl, sudo,
pkill) replace only what cannot, and log each call to $REHEARSAL_CALLS (see bin/_standin.py).

Services the rehearsal needs (PostgreSQL 127.0.0.1:5432, Redis 127.0.0.1:6379) are real; without
them a test skips on a developer machine and fails under CI=true.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI

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


def standin_env(root: Path, rehearsal_id: str) -> dict[str, str]:
    """What every stand-in command needs: the rehearsal it belongs to, and where to log its calls."""
    return {"REHEARSAL_ID": rehearsal_id, "REHEARSAL_CALLS": str(root / "calls.jsonl")}


@dataclass
class Calls:
    """The stand-in commands' call log ($REHEARSAL_CALLS), one JSON object per call."""

    path: Path

    @classmethod
    def in_dir(cls, root: Path) -> Calls:
        return cls(root / "calls.jsonl")

    def all(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    def of(self, cmd: str) -> list[dict[str, Any]]:
        return [c for c in self.all() if c["cmd"] == cmd]


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
