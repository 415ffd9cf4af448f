"""Benchmark: kill -9 golive at chosen moments, resume, and count what the resume had to ask.

Each trial runs a checklist of STEPS commands, each `sleep 0.2; echo step-N >> $CRASH_LOG` (its
effect: one line), and kills golive with SIGKILL at one of four kinds of moment, in turn:

- `inside`: while a command runs (after a random step's start is recorded);
- `between`: right after a random step's end is recorded;
- `resume`: inside a command, then the resume itself is killed at a random moment, then resumed;
- `host`: inside a command, and its shell session is killed with it (the whole host died).

Then `golive resume --non-interactive --yes` until the run passes. A step in doubt is settled as an
operator would, by looking at whether its effect happened (`golive confirm --done` or `--rerun`),
and counted. Checks, per trial: while killed, `golive runs` says `interrupted` (never `running`);
every step's effect happened exactly once, in order; the run passed. Counts: in-doubt questions
where the session survived (the target is 0: its journal knows) and where it was killed too (only
then is a step truly unknown), steps settled from the session's journal, steps that never started.

    .venv/bin/python bench/killloop.py [--trials N] [--seed S]   # one JSON document on stdout
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil

STEPS = 8
KINDS = ("inside", "between", "resume", "host")
ROOT = Path(__file__).resolve().parent.parent


def checklist(where: Path) -> Path:
    lines = ["# Kill loop", "", "## Deployment Steps", ""]
    for n in range(1, STEPS + 1):
        lines += [f"### Step {n}", "", "```bash", f'sleep 0.2; echo step-{n} >> "$CRASH_LOG"', "```", ""]
    lines += ["## Rollback Plan", "", "- [ ] Nothing to undo", ""]
    path = where / "KILL.md"
    path.write_text("\n".join(lines))
    return path


def golive(*args: str, cwd: Path, env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-P", "-m", "golive", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )


def start(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-P", "-m", "golive", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )


def count(home: Path, sql: str) -> int:
    try:
        with sqlite3.connect(f"file:{home / 'golive.db'}?mode=ro", uri=True, timeout=5) as db:
            return int(db.execute(sql).fetchone()[0])
    except sqlite3.Error:
        return 0


def wait_for(home: Path, of_type: str, n: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Until the run has recorded `n` events of a type, or golive ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if count(home, f"select count(*) from events where type = '{of_type}'") >= n:
            return
        time.sleep(0.003)


def sessions(log: Path) -> list[psutil.Process]:
    """The shell sessions golive left behind, and what they run (they carry this trial's CRASH_LOG)."""
    found = []
    for p in psutil.process_iter(["pid"]):
        try:
            if "GOLIVE_SESSION" in p.environ() and p.environ().get("CRASH_LOG") == str(log):
                found.append(p)
        except (psutil.Error, OSError):
            continue
    return found


def kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def run_id(home: Path) -> str | None:
    try:
        with sqlite3.connect(f"file:{home / 'golive.db'}?mode=ro", uri=True, timeout=5) as db:
            row = db.execute("select id from runs order by started_at desc limit 1").fetchone()
            return str(row[0]) if row else None
    except sqlite3.Error:
        return None


def shown_status(cwd: Path, env: dict[str, str]) -> str:
    """The status `golive runs` shows (interrupted, not running, once golive is gone)."""
    runs = json.loads(golive("runs", "--json", cwd=cwd, env=env).stdout)
    return str(runs[0]["status"]) if runs else ""


def recorded_status(home: Path) -> str:
    try:
        with sqlite3.connect(f"file:{home / 'golive.db'}?mode=ro", uri=True, timeout=5) as db:
            row = db.execute("select status from runs order by started_at desc limit 1").fetchone()
            return str(row[0]) if row else ""
    except sqlite3.Error:
        return ""


def trial(index: int, kind: str, rng: random.Random, where: Path) -> dict[str, int | str | bool]:
    home, log = where / f"home{index}", where / f"log{index}.txt"
    path = checklist(where)
    env = {**os.environ, "GOLIVE_HOME": str(home), "CRASH_LOG": str(log), "NO_COLOR": "1"}
    env.pop("GOLIVE_DATABASE_URL", None)
    out: dict[str, int | str | bool] = {"kind": kind, "asked_session_alive": 0, "asked_session_killed": 0}
    proc = start(["run", str(path), "--non-interactive", "--yes"], where, env)
    target = rng.randint(1, STEPS)
    if kind == "between":
        wait_for(home, "step_finished", target, proc)
    else:
        wait_for(home, "step_started", target, proc)
        time.sleep(rng.uniform(0.02, 0.15))  # inside the command's 0.2 s, mostly
    kill(proc)
    session_killed = kind == "host"
    if session_killed:
        for p in sessions(log):  # the host died: the session dies with golive, all at once
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(p.pid, signal.SIGKILL)
    rid = run_id(home)
    if rid is None:
        out["outcome"] = "killed before the run existed"
        assert golive("run", str(path), "--non-interactive", "--yes", cwd=where, env=env).returncode == 0
    elif recorded_status(home) == "passed":
        # Killed after its last event, maybe before its clean-up: the operator resumes, is told the run
        # is over, and that golive removes what the killed one left.
        out["outcome"] = "finished before the kill"
        r = golive("resume", rid, "--non-interactive", "--yes", cwd=where, env=env)
        assert r.returncode == 2 and "already finished" in r.stdout + r.stderr, r.stdout + r.stderr
    else:
        shown = shown_status(where, env)
        out["shown_while_killed"] = shown
        assert shown == "interrupted", f"trial {index}: a killed run shows as {shown!r}"
        if kind == "resume":
            resuming = start(["resume", rid, "--non-interactive", "--yes"], where, env)
            time.sleep(rng.uniform(0.3, 2.5))  # golive starting, waiting for the orphan, or running steps
            kill(resuming)
        out["outcome"] = "resumed"
        for _attempt in range(STEPS + 2):
            if recorded_status(home) == "passed":
                break  # the killed resume had finished it just before the kill
            r = golive("resume", rid, "--non-interactive", "--yes", cwd=where, env=env)
            if r.returncode == 0:
                break
            assert r.returncode == 3, r.stdout + r.stderr
            assert "completed before golive was interrupted" in r.stdout, r.stdout
            item = r.stdout.split("golive confirm ")[1].split()[1]
            line = path.read_text().splitlines()[int(item[1:]) - 1]
            n = int(line.split("step-")[1].split()[0])
            done = log.exists() and f"step-{n}" in log.read_text().split()
            out["asked_session_killed" if session_killed else "asked_session_alive"] += 1  # type: ignore[operator]
            verb = "--done" if done else "--rerun"
            assert golive("confirm", rid, item, verb, "--as", "tester", cwd=where, env=env).returncode == 0
        else:
            raise AssertionError(f"trial {index}: run {rid} did not finish")
    psutil.wait_procs(sessions(log), timeout=10)
    effects = log.read_text().split() if log.exists() else []
    out["exactly_once"] = effects == [f"step-{n}" for n in range(1, STEPS + 1)]
    assert out["exactly_once"], f"trial {index} ({kind}): effects {effects}"
    assert recorded_status(home) == "passed"
    out["from_journal"] = count(home, "select count(*) from events where data like '%session journal%'")
    out["never_started"] = count(home, "select count(*) from events where data like '%never started before%'")
    leftover = [p for p in (home / "runs").rglob("*") if p.is_file()] if (home / "runs").exists() else []
    assert leftover == [], f"trial {index}: scratch files left after the run passed: {leftover}"
    return out


def loop(trials: int, seed: int, where: Path) -> dict[str, object]:
    rng = random.Random(seed)
    results = [trial(i, KINDS[i % len(KINDS)], rng, where) for i in range(trials)]
    kinds = Counter(str(r["kind"]) for r in results)
    outcomes = Counter(str(r["outcome"]) for r in results)
    return {
        "trials": trials,
        "kinds": dict(kinds),
        "outcomes": dict(outcomes),
        "exactly_once": sum(1 for r in results if r["exactly_once"]),
        "shown_interrupted_while_killed": sum(1 for r in results if r.get("shown_while_killed") == "interrupted"),
        "in_doubt_questions_session_survived": sum(int(r["asked_session_alive"]) for r in results),
        "in_doubt_questions_session_killed": sum(int(r["asked_session_killed"]) for r in results),
        "settled_from_journal": sum(int(r["from_journal"]) for r in results),
        "never_started_then_run": sum(int(r["never_started"]) for r in results),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=32)
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="golive-killloop-") as tmp:
        result = loop(args.trials, args.seed, Path(tmp))
    result["seconds"] = round(time.monotonic() - started, 1)
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
