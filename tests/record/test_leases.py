"""The lock holds while anything of the run lives: after a kill -9 of golive, its session finishes the
command in flight; no second run of the same checklist and environment may start beside it, even
once the lease has lapsed. On SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.helpers import golive
from tests.record.conftest import Database, RawSQL

CHECKLIST = """# Hold

## Deployment Steps

```bash
echo "start $$" >> "$HOLD_LOG"; sleep "$HOLD_S"; echo "end $$" >> "$HOLD_LOG"
```

## Rollback Plan

- [ ] Nothing to undo
"""


def run_processes(run_id: str) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter(["pid"]):
        try:
            if p.environ().get("GOLIVE_RUN") == run_id:
                found.append(p)
        except (psutil.Error, OSError):
            continue
    return found


@pytest.mark.timeout(120)
def test_no_second_run_starts_beside_the_command_of_a_killed_run(tmp_path: Path, database: Database) -> None:
    log = tmp_path / "hold.log"
    (tmp_path / "HOLD.md").write_text(CHECKLIST)
    env = {**os.environ, "GOLIVE_HOME": str(database.home), "HOLD_LOG": str(log), "NO_COLOR": "1", "HOLD_S": "40"}
    env.pop("GOLIVE_DATABASE_URL", None)
    if database.backend == "postgres":
        env["GOLIVE_DATABASE_URL"] = database.url
    first = subprocess.Popen([sys.executable, "-P", "-m", "golive", "run", "HOLD.md", "--non-interactive", "--yes"],
                             cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while not (log.exists() and log.read_text().startswith("start")) and time.monotonic() < deadline:
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()
    store = database.open()
    try:
        run_id = store.runs(1)[0].id
    finally:
        store.close()
    # As if the 30 s lease had lapsed unrenewed, and whoever comes next is not the same run.
    sql = RawSQL(database.url)
    try:
        assert sql.execute("UPDATE locks SET expires_at = :t", t="2000-01-01T00:00:00+00:00") == 1
    finally:
        sql.engine.dispose()
    second = golive("run", "HOLD.md", "--non-interactive", "--yes", cwd=tmp_path, env={**env, "HOLD_S": "0"})
    assert second.returncode == 4, second.stdout + second.stderr
    said = second.stdout + second.stderr
    assert run_id in said and "processes still run" in said and "(bash)" in said and "(sleep)" in said, said
    assert log.read_text().count("start") == 1  # nothing of the second run started
    alive = run_processes(run_id)
    for p in alive:  # the operator stops what is left of the killed run (40 s is long to wait in a test)
        p.kill()
    psutil.wait_procs(alive, timeout=30)
    third = golive("run", "HOLD.md", "--non-interactive", "--yes", cwd=tmp_path, env={**env, "HOLD_S": "0"})
    assert third.returncode == 0, third.stdout + third.stderr
    lines = [line.split()[0] for line in log.read_text().splitlines()]
    assert lines == ["start", "start", "end"]  # the third run began only once nothing of the first was left


SERVICE = """# Service

## Deployment Steps

```bash
sleep 300 &
```

- [ ] The dashboard is green
"""


@pytest.mark.timeout(120)
def test_a_paused_run_keeps_its_lease_while_its_service_is_up(tmp_path: Path, database: Database) -> None:
    (tmp_path / "SERVICE.md").write_text(SERVICE)
    env = {**os.environ, "GOLIVE_HOME": str(database.home), "NO_COLOR": "1"}
    env.pop("GOLIVE_DATABASE_URL", None)
    if database.backend == "postgres":
        env["GOLIVE_DATABASE_URL"] = database.url
    first = golive("run", "SERVICE.md", "--non-interactive", "--yes", cwd=tmp_path, env=env)
    assert first.returncode == 3, first.stdout + first.stderr  # waits for a person to confirm the dashboard
    store = database.open()
    try:
        run_id = store.runs(1)[0].id
    finally:
        store.close()
    (service,) = run_processes(run_id)
    try:
        second = golive("run", "SERVICE.md", "--non-interactive", "--yes", cwd=tmp_path, env=env)
        assert second.returncode == 4, second.stdout + second.stderr
        assert run_id in second.stderr + second.stdout and f"pid {service.pid} (sleep)" in second.stderr + second.stdout
        assert golive("abandon", run_id, "--reason", "test over", cwd=tmp_path, env=env).returncode == 0
        third = golive("run", "SERVICE.md", "--non-interactive", "--yes", cwd=tmp_path, env=env)
        assert third.returncode == 3, third.stdout + third.stderr  # the lease went with the abandoned run
    finally:
        store = database.open()
        try:
            leftover = [p for r in store.runs(5) for p in run_processes(r.id)]
        finally:
            store.close()
        for p in [*leftover, service]:
            with contextlib.suppress(psutil.Error):
                p.kill()
