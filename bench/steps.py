"""Benchmark: golive's overhead per step, next to the plain bash script a user would otherwise run.

It generates (from a fixed seed, so every run writes the same text) a checklist whose "## Deployment
Steps" section holds N one-line commands, 50 per ```bash block, plus a one-command "## Rollback Plan".
Every command appends one line to ``$BENCH_OUT``; some lines also carry a counter kept in a shell
variable, so they prove every command ran, in order, in one persistent shell. Then, best of R runs:

- bash: the same N lines as a script, ``bash script.sh``; and a 1-line script, for bash's start-up;
- golive: ``golive run CHECKLIST --non-interactive --yes`` with a fresh ``GOLIVE_HOME`` each time, so
  the time includes creating the SQLite store, committing every event and writing the final report;
  and the same for a 1-command checklist, for golive's fixed start-up.

Per step = (t_N - t_1) / (N - 1); overhead per step = golive's per step minus bash's per line. After
every run it checks ``$BENCH_OUT`` holds exactly the N expected lines and ``golive runs --json`` says
"passed", or exits 1. One JSON document goes to stdout; progress goes to stderr. Target: 2 ms.

    .venv/bin/python bench/steps.py [--steps N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLIVE = ROOT / ".venv" / "bin" / "golive"
SEED = 20240601
PER_BLOCK = 50
TARGET_OVERHEAD_MS = 2.0
# One-liners, each appending exactly one line; "{i}" is the command's number, "$x" a counter in the shell.
VARIANTS = (
    'echo step-{i} >> "$BENCH_OUT"',
    'true && echo step-{i} >> "$BENCH_OUT"',
    'x=$((x+1)) && echo "step-{i} x=$x" >> "$BENCH_OUT"',
    "printf 'step-%s\\n' {i} >> \"$BENCH_OUT\"",
    'test -d /tmp && echo step-{i} >> "$BENCH_OUT"',
)


class BenchError(Exception):
    """The benchmark measured something other than what it claims: its numbers must not be used."""


@dataclass(frozen=True)
class Workload:
    """N commands and the lines they must leave in $BENCH_OUT, in order."""

    commands: list[str]
    expected: list[str]


@dataclass(frozen=True)
class Timing:
    best_s: float
    times_s: list[float]


# --- generation ----------------------------------------------------------------------------------


def workload(n: int, seed: int = SEED) -> Workload:
    rng = random.Random(seed)
    commands, expected, x = [], [], 0
    for i in range(1, n + 1):
        variant = VARIANTS[0] if i == 1 else rng.choice(VARIANTS)
        commands.append(variant.format(i=i))
        if "x=$x" in variant:
            x += 1
            expected.append(f"step-{i} x={x}")
        else:
            expected.append(f"step-{i}")
    return Workload(commands, expected)


def checklist(commands: list[str]) -> str:
    lines = ["# Benchmark: golive steps", "", "## Deployment Steps", ""]
    for start in range(0, len(commands), PER_BLOCK):
        lines += [f"### Step {start // PER_BLOCK + 1}: batch", "", "```bash", *commands[start : start + PER_BLOCK]]
        lines += ["```", ""]
    lines += ["## Rollback Plan", "", "```bash", 'echo rolled-back >> "$BENCH_OUT"', "```", ""]
    return "\n".join(lines)


def script(commands: list[str]) -> str:
    return "\n".join(["#!/usr/bin/env bash", *commands, ""])


# --- running ----------------------------------------------------------------------------------


def env_for(out: Path, home: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "BENCH_OUT": str(out)}
    env.pop("GOLIVE_DATABASE_URL", None)  # always the fresh SQLite store under GOLIVE_HOME
    if home is not None:
        env["GOLIVE_HOME"] = str(home)
    return env


def call(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run `argv` to completion, its output captured; wall-clock seconds and the result."""
    start = time.perf_counter()
    result = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, result


def check_ok(what: str, result: subprocess.CompletedProcess[str]) -> None:
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-15:]
        raise BenchError(f"{what} exited {result.returncode}:\n" + "\n".join(tail))


def check_lines(what: str, out: Path, expected: list[str]) -> None:
    got = out.read_text().splitlines() if out.exists() else []
    if got != expected:
        pairs = enumerate(zip(got, expected, strict=False))
        wrong = next((i for i, (a, b) in pairs if a != b), min(len(got), len(expected)))
        raise BenchError(
            f"{what}: $BENCH_OUT holds {len(got)} lines, expected {len(expected)}; first difference at line "
            f"{wrong + 1}: {got[wrong : wrong + 1]} != {expected[wrong : wrong + 1]}"
        )


def golive_json(args: list[str], env: dict[str, str], cwd: Path) -> object:
    _, result = call([str(GOLIVE), *args], env, cwd)
    check_ok("golive " + " ".join(args), result)
    return json.loads(result.stdout)


def check_golive_run(env: dict[str, str], cwd: Path) -> int:
    """The run passed, by golive's own record; how many events it logged."""
    runs = golive_json(["runs", "--json"], env, cwd)
    if not isinstance(runs, list) or len(runs) != 1 or runs[0].get("status") != "passed":
        raise BenchError(f"golive runs --json does not show one passed run: {runs!r}")
    shown = golive_json(["show", runs[0]["id"], "--json"], env, cwd)
    events = shown["run"]["events"] if isinstance(shown, dict) else None
    if not isinstance(events, int):
        raise BenchError("golive show --json has no run.events")
    return events


def time_bash(path: Path, work: Workload, repeat: int, tmp: Path) -> Timing:
    times = []
    for r in range(repeat):
        out = tmp / f"bash-{len(work.commands)}-{r}.out"
        seconds, result = call(["bash", str(path)], env_for(out), tmp)
        check_ok(f"bash {path.name}", result)
        check_lines(f"bash {path.name}", out, work.expected)
        times.append(seconds)
    return Timing(min(times), times)


def time_golive(path: Path, work: Workload, repeat: int, tmp: Path) -> tuple[Timing, int]:
    """Best wall-clock seconds of `golive run` over fresh stores, and the events each run logged."""
    times, events = [], set()
    for r in range(repeat):
        with tempfile.TemporaryDirectory(prefix="golive-home-", dir=tmp) as home:
            out = tmp / f"golive-{len(work.commands)}-{r}.out"
            env = env_for(out, Path(home))
            seconds, result = call([str(GOLIVE), "run", str(path), "--non-interactive", "--yes"], env, tmp)
            check_ok(f"golive run {path.name}", result)
            check_lines(f"golive run {path.name}", out, work.expected)
            events.add(check_golive_run(env, tmp))
            times.append(seconds)
        print(f"  golive {len(work.commands)} steps, run {r + 1}/{repeat}: {seconds:.3f} s", file=sys.stderr)
    if len(events) != 1:
        raise BenchError(f"runs of the same checklist logged different numbers of events: {sorted(events)}")
    return Timing(min(times), times), events.pop()


def lint(path: Path, tmp: Path) -> None:
    _, result = call([str(GOLIVE), "lint", str(path)], env_for(tmp / "lint.out"), tmp)
    check_ok(f"golive lint {path.name} (errors in the generated checklist)", result)


# --- report ----------------------------------------------------------------------------------------


def per_step_ms(t_n: float, t_1: float, n: int) -> float:
    return (t_n - t_1) / (n - 1) * 1000


def measure(n: int, repeat: int, tmp: Path) -> dict[str, object]:
    big, one = workload(n), workload(1)
    files = {}
    for name, work in (("n", big), ("1", one)):
        files[name] = (tmp / f"steps-{name}.md", tmp / f"steps-{name}.sh")
        files[name][0].write_text(checklist(work.commands))
        files[name][1].write_text(script(work.commands))
    lint(files["n"][0], tmp)
    print(f"bash: {n} lines and 1 line, best of {repeat}", file=sys.stderr)
    bash_n, bash_1 = time_bash(files["n"][1], big, repeat, tmp), time_bash(files["1"][1], one, repeat, tmp)
    print(f"golive: {n} steps and 1 step, best of {repeat}, fresh GOLIVE_HOME each", file=sys.stderr)
    golive_n, events = time_golive(files["n"][0], big, repeat, tmp)
    golive_1, _ = time_golive(files["1"][0], one, repeat, tmp)
    bash_line = per_step_ms(bash_n.best_s, bash_1.best_s, n)
    golive_step = per_step_ms(golive_n.best_s, golive_1.best_s, n)
    overhead = golive_step - bash_line
    return {
        "benchmark": "steps",
        "steps": n,
        "repeat": repeat,
        "blocks": -(-n // PER_BLOCK),
        "python": sys.version.split()[0],
        "bash": {
            "best_s": round(bash_n.best_s, 4),
            "startup_s": round(bash_1.best_s, 4),
            "per_line_ms": round(bash_line, 4),
            "times_s": [round(t, 4) for t in bash_n.times_s],
        },
        "golive": {
            "best_s": round(golive_n.best_s, 4),
            "startup_s": round(golive_1.best_s, 4),
            "per_step_ms": round(golive_step, 4),
            "overhead_per_step_ms": round(overhead, 4),
            "times_s": [round(t, 4) for t in golive_n.times_s],
            "startup_times_s": [round(t, 4) for t in golive_1.times_s],
        },
        "events_per_run": events,
        "events_per_step": round(events / n, 2),
        "target": {"overhead_per_step_ms": TARGET_OVERHEAD_MS},
        "within_target": overhead <= TARGET_OVERHEAD_MS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--steps", type=int, default=1000, help="commands in the generated checklist (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each, best kept (default 3)")
    args = parser.parse_args(argv)
    if args.steps < 2 or args.repeat < 1:
        parser.error("--steps must be at least 2 and --repeat at least 1")
    if not GOLIVE.exists():
        print(f"steps: {GOLIVE} is missing: run bash scripts/bootstrap.sh", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="golive-bench-steps-") as tmp:
        try:
            report = measure(args.steps, args.repeat, Path(tmp))
        except BenchError as exc:
            print(f"steps: {exc}", file=sys.stderr)
            return 1
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
