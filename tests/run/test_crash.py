"""kill -9 golive at random moments; `golive resume` finishes the run with every step done exactly once.

A step golive was killed in is *in doubt*: it may or may not have completed. The test settles
each one the way an operator would, by looking at whether its effect happened, then resumes.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.helpers import golive

STEPS = 10


def checklist(tmp_path: Path) -> Path:
    lines = ["# Crash test", "", "## Deployment Steps", ""]
    for n in range(1, STEPS + 1):
        lines += [f"### Step {n}", "", "```bash", f'sleep 0.05; echo step-{n} >> "$CRASH_LOG"', "```", ""]
    lines += ["## Rollback Plan", "", "- [ ] Nothing to undo", ""]
    path = tmp_path / "CRASH.md"
    path.write_text("\n".join(lines))
    return path


def leftovers(log: Path) -> list[psutil.Process]:
    """The shell session golive left behind, and what it runs (they carry this trial's CRASH_LOG)."""
    found = []
    for p in psutil.process_iter(["pid"]):
        try:
            env = p.environ()
        except (psutil.Error, OSError):
            continue
        if "GOLIVE_SESSION" in env and env.get("CRASH_LOG") == str(log):
            found.append(p)
    return found


def settle(log: Path, host_died: bool) -> None:
    """After golive dies its session may finish the running step on its own, unless the whole host died too."""
    if host_died:
        for p in leftovers(log):
            p.kill()
    psutil.wait_procs(leftovers(log), timeout=10)


def wait_until_recorded(home: Path, events: int, timeout: float = 30, of_type: str = "") -> None:
    """Wait until the run has recorded `events` events (of a type, if given), or it ends."""
    deadline = time.monotonic() + timeout
    where = f"where type = '{of_type}'" if of_type else ""
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(f"file:{home / 'golive.db'}?mode=ro", uri=True, timeout=1) as db:
                count = db.execute(f"select count(*) from events {where}").fetchone()[0]
                done = db.execute("select count(*) from events where type = 'run_finished'").fetchone()[0]
            if count >= events or done:
                return
        except sqlite3.Error:
            pass  # not created yet
        time.sleep(0.005)


def latest_run(cwd: Path, env: dict[str, str]) -> str | None:
    runs = json.loads(golive("runs", "--json", cwd=cwd, env=env).stdout)
    return runs[0]["id"] if runs else None


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_kill_minus_nine_at_random_moments_then_resume(tmp_path: Path, isolated_home: Path) -> None:
    rng = random.Random(20261125)
    path = checklist(tmp_path)
    outcomes = {"in_doubt_done": 0, "in_doubt_rerun": 0, "resumed": 0, "finished_first": 0, "before_run": 0}
    for trial in range(20):
        home = tmp_path / f"home{trial}"
        log = tmp_path / f"log{trial}.txt"
        env = {**os.environ, "GOLIVE_HOME": str(home), "CRASH_LOG": str(log), "NO_COLOR": "1"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "golive", "run", str(path), "--non-interactive", "--yes"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        wait_until_recorded(home, rng.randint(0, 2 * STEPS + 2))
        time.sleep(rng.uniform(0, 0.08))  # …and a few milliseconds more: often in the middle of a command
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        settle(log, host_died=trial % 2 == 1)
        run_id = latest_run(tmp_path, env) if (home / "golive.db").exists() else None
        status = json.loads(golive("runs", "--json", cwd=tmp_path, env=env).stdout)[0]["status"] if run_id else ""
        if status == "passed":
            outcomes["finished_first"] += 1
        elif run_id is None:
            outcomes["before_run"] += 1
            assert golive("run", str(path), "--non-interactive", "--yes", cwd=tmp_path, env=env).returncode == 0
        else:
            outcomes["resumed"] += 1
            for _attempt in range(5):
                r = golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path, env=env)
                if r.returncode == 0:
                    break
                assert r.returncode == 3, r.stdout + r.stderr
                assert "completed before golive was interrupted" in r.stdout, r.stdout
                item = r.stdout.split("golive confirm ")[1].split()[1]
                n = int(
                    next(ln for ln in path.read_text().splitlines()[int(item[1:]) - 1 :][:1])
                    .split("step-")[1]
                    .split()[0]
                )
                done = log.exists() and f"step-{n}" in log.read_text().split()
                verb = "--done" if done else "--rerun"
                outcomes["in_doubt_done" if done else "in_doubt_rerun"] += 1
                assert golive("confirm", run_id, item, verb, "--as", "tester", cwd=tmp_path, env=env).returncode == 0
            else:
                pytest.fail(f"trial {trial}: run {run_id} did not finish")
        # Every step's effect happened exactly once, in order.
        assert log.read_text().split() == [f"step-{n}" for n in range(1, STEPS + 1)], f"trial {trial}"
        assert json.loads(golive("runs", "--json", cwd=tmp_path, env=env).stdout)[0]["status"] == "passed"
    print("crash outcomes:", outcomes)
    # The random moments hit runs mid-flight, and in the middle of commands, so resume and in-doubt were exercised.
    assert outcomes["resumed"] >= 12 and outcomes["in_doubt_done"] >= 2 and outcomes["in_doubt_rerun"] >= 2, outcomes


@pytest.mark.timeout(120)
def test_a_rerun_leaves_nothing_of_the_interrupted_attempt_running(tmp_path: Path, isolated_home: Path) -> None:
    """The orphaned shell was in the middle of `sleep 2; echo late`: a rerun must stop it, or `late` comes twice."""
    log = tmp_path / "late.txt"
    path = tmp_path / "LATE.md"
    path.write_text(f'# Late\n\n## Deployment Steps\n\n```bash\nsleep 2; echo late >> "{log}"\n```\n\n'
                    "## Rollback Plan\n\n- [ ] Nothing to undo\n")  # fmt: skip
    env = {**os.environ, "GOLIVE_HOME": str(isolated_home), "CRASH_LOG": str(log)}
    proc = subprocess.Popen([sys.executable, "-m", "golive", "run", str(path), "--non-interactive", "--yes"],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)  # fmt: skip
    wait_until_recorded(isolated_home, 1, of_type="step_started")  # the command has begun
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    run_id = latest_run(tmp_path, env)
    assert run_id is not None and not log.exists()  # still sleeping
    r = golive("resume", run_id, "--non-interactive", "--in-doubt", "rerun", cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    time.sleep(2.5)  # longer than the interrupted attempt would have needed to finish
    assert log.read_text() == "late\n"
    assert leftovers(log) == []
