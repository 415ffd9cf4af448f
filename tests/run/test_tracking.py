"""Processes that hide are still stopped by --timeout: double forks, setsid, a cleared environment.

Each escape starts a daemon that writes its pid and sleeps; the command then outlives its
timeout. Once `run` returns, the daemon must be gone. Tracked by cgroup where golive may create
cgroups, and by the fallback (session id, environment, the tree as it grows, golive as the
subreaper of orphans) where it may not.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from golive.run.shell import ShellSession
from golive.run.tracking import cgroup_root

DAEMON = "sh -c 'echo $$ > {pidfile}; exec sleep 300'"
PYTHON_DAEMON = (
    "python3 -c \"import os\n"
    "if os.fork() == 0:\n"
    "    os.setsid()\n"
    "    if os.fork() == 0:\n"
    "        os.environ.clear()\n"
    "        os.execvpe('sh', ['sh', '-c', 'echo \\$\\$ > {pidfile}; exec sleep 300'], {{}})\n"
    "    os._exit(0)\n"
    '"'
)
ESCAPES = {
    "subshell in the background": "( " + DAEMON + " & )",
    "nohup and disown": "nohup " + DAEMON + " >/dev/null 2>&1 & disown",
    "setsid -f (a new session, forked)": "setsid -f " + DAEMON,
    "env -i in a double fork": "( env -i " + DAEMON + " & )",
    "setsid and env -i in a double fork": "( setsid env -i " + DAEMON + " & )",
    "python: fork, setsid, fork, environ.clear(), exec": PYTHON_DAEMON,
}


@pytest.fixture(params=["cgroup", "fallback"])
def tracking(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "cgroup":
        if cgroup_root() is None:
            pytest.skip("cgroup v2 is not writable here: the fallback is tested instead")
    else:
        monkeypatch.setenv("GOLIVE_NO_CGROUP", "1")
    yield request.param


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.timeout(60)
@pytest.mark.parametrize("escape", list(ESCAPES))
def test_a_daemon_that_hides_is_stopped_by_the_timeout(escape: str, tracking: str, tmp_path: Path) -> None:
    pidfile = tmp_path / "daemon.pid"
    session = ShellSession(tmp_path, tmp_path / "scratch")
    session.start()
    try:
        assert session.tracker.group is not None if tracking == "cgroup" else session.tracker.group is None
        command = ESCAPES[escape].format(pidfile=pidfile)
        result = session.run(f"{command}; while [ ! -s {pidfile} ]; do sleep 0.05; done; sleep 30", timeout=1.5)
        assert result.timed_out
        pid = int(pidfile.read_text())
        deadline = time.monotonic() + 10
        while not gone(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        survivor = None if gone(pid) else psutil.Process(pid)
        if survivor is not None:
            survivor.kill()
        assert survivor is None, f"{escape}: pid {pid} survived the timeout ({tracking})"
    finally:
        session.close()
