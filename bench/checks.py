"""Benchmark: 200 HTTP checks of one local service that answers after 50 ms, three ways, same run:

- golive: a checklist whose ```golive block holds the 200 `http` checks, `golive run --yes
  --non-interactive` end to end (start-up, a fresh SQLite record of every check, the report), with
  golive's modules compiled as an installed package has them (one untimed run first);
- curl: the loop a user would write instead, `for …; do curl -sf …; done`, one request after another;
- ansible: ansible-core's `uri` module over the same 200 URLs (`loop:`), from a virtualenv this
  benchmark creates beside the project when it is missing (`pip install ansible-core`).

Each one must hit the service exactly 200 times and pass, or the benchmark exits 1. Medians of R
runs (ansible: of its own repeat count, default 1, since one run takes minutes). Targets: golive
≥ 10× the curl loop, ≥ 100× ansible. One JSON document on stdout; progress on stderr.

    .venv/bin/python bench/checks.py [--checks N] [--repeat R] [--ansible-repeat A] [--no-ansible]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLIVE = ROOT / ".venv" / "bin" / "golive"
ANSIBLE_VENV = ROOT / ".venv-bench-ansible"
DELAY_MS = 50
TARGET_VS_CURL = 10.0
TARGET_VS_ANSIBLE = 100.0


class BenchError(Exception):
    """The benchmark measured something other than what it claims: its numbers must not be used."""


def log(message: str) -> None:
    print(f"bench/checks: {message}", file=sys.stderr, flush=True)


@contextmanager
def service(delay_ms: float) -> Iterator[str]:
    """bench/_server.py in its own process; yields its base URL."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "_server.py"), "--delay-ms", str(delay_ms)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def served(base: str) -> int:
    with urllib.request.urlopen(f"{base}/count", timeout=10) as r:
        return int(r.read())


def timed(base: str, n: int, run: Callable[[], float | None]) -> float:
    """Seconds `run` takes (or the seconds it returns: the part a user waits for, its own checks left
    out); it must make exactly n requests of the service."""
    before = served(base)
    started = time.perf_counter()
    own = run()
    elapsed = own if own is not None else time.perf_counter() - started
    made = served(base) - before
    if made != n:
        raise BenchError(f"expected {n} requests of the service, it served {made}")
    return elapsed


# --- the three ways -------------------------------------------------------------------------------


def urls(base: str, n: int) -> list[str]:
    return [f"{base}/health?check={i}" for i in range(1, n + 1)]


def run_checklist(checklist: Path, work: Path) -> tuple[float, list[dict[str, Any]]]:
    """`golive run CHECKLIST --yes --non-interactive` with a fresh record: its wall time, and its check
    steps as recorded (read afterwards with `golive show`, not timed: that is the benchmark's check)."""
    env = {**installed_like(work), "GOLIVE_HOME": tempfile.mkdtemp(dir=work), "NO_COLOR": "1"}
    started = time.perf_counter()
    r = subprocess.run(
        [str(GOLIVE), "run", str(checklist), "--yes", "--non-interactive"],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        stdin=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    if r.returncode != 0:
        raise BenchError(f"golive run exited {r.returncode}: {r.stdout[-2000:]}{r.stderr[-2000:]}")
    shown = subprocess.run(
        [str(GOLIVE), "show", "last", "--json"], capture_output=True, text=True, env=env, cwd=work, check=True
    )
    return elapsed, [s for s in json.loads(shown.stdout)["steps"] if s["kind"] == "check"]


def installed_like(work: Path) -> dict[str, str]:
    """The environment golive runs in as `pip install golive` leaves it: its modules compiled once.
    The editable install of this checkout is never compiled, and this machine sets
    PYTHONDONTWRITEBYTECODE, so every run would compile ~80 modules again (~0.13 s); the bytecode goes
    to a folder of the benchmark's own (PYTHONPYCACHEPREFIX), never into the checkout."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(work / "pycache")}


def golive_run(base: str, n: int, work: Path) -> float:
    checks = "\n".join(f"- http: GET {u}\n  expect: {{status: 200, json: {{status: healthy}}}}" for u in urls(base, n))
    checklist = work / "CHECKS.md"
    checklist.write_text(f"# {n} checks\n\n## Verify\n\n```golive\n{checks}\n```\n")
    elapsed, steps = run_checklist(checklist, work)
    statuses = [s["status"] for s in steps]
    if statuses != ["passed"] * n:
        raise BenchError(f"golive recorded {len(statuses)} checks, {statuses.count('passed')} passed")
    return elapsed


def curl_loop(base: str, n: int, work: Path) -> None:
    script = work / "checks.sh"
    script.write_text("set -e\n" + "".join(f"curl -sf -o /dev/null '{u}'\n" for u in urls(base, n)))
    subprocess.run(["bash", str(script)], check=True)


def ansible_python() -> Path:
    """ansible-core in a virtualenv of its own, created on first use (PyPI)."""
    python = ANSIBLE_VENV / "bin" / "python"
    if not (ANSIBLE_VENV / "bin" / "ansible-playbook").exists():
        log(f"creating {ANSIBLE_VENV} with ansible-core (first run only)")
        subprocess.run([sys.executable, "-m", "venv", str(ANSIBLE_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "ansible-core"],
            check=True,
        )
    return python


def ansible_uri(base: str, n: int, work: Path) -> None:
    playbook = work / "checks.yml"
    playbook.write_text(
        "- hosts: localhost\n"
        "  connection: local\n"
        "  gather_facts: false\n"
        "  tasks:\n"
        "    - name: health\n"
        "      ansible.builtin.uri:\n"
        '        url: "{{ item }}"\n'
        "        status_code: 200\n"
        "      loop: " + json.dumps(urls(base, n)) + "\n"
    )
    env = {
        **os.environ,
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_PYTHON_INTERPRETER": str(ANSIBLE_VENV / "bin" / "python"),
        "ANSIBLE_LOCAL_TEMP": str(work / "ansible-tmp"),
        "ANSIBLE_HOME": str(work / "ansible-home"),
    }
    r = subprocess.run(
        [str(ANSIBLE_VENV / "bin" / "ansible-playbook"), "-i", "localhost,", str(playbook)],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        stdin=subprocess.DEVNULL,
    )
    if r.returncode != 0 or "ok=1" not in r.stdout:
        raise BenchError(f"ansible-playbook exited {r.returncode}: {r.stdout[-2000:]}{r.stderr[-1000:]}")


# --- the benchmark --------------------------------------------------------------------------------


def measure(n: int, repeat: int, ansible_repeat: int) -> dict[str, object]:
    result: dict[str, object] = {"checks": n, "service_delay_ms": DELAY_MS}
    with tempfile.TemporaryDirectory(prefix="golive-bench-checks-") as tmp, service(DELAY_MS) as base:
        work = Path(tmp)
        times: dict[str, list[float]] = {"golive": [], "curl": [], "ansible": [], "golive_one_check": []}
        timed(base, 1, lambda: golive_run(base, 1, work))  # untimed: compiles golive, as an install would
        for i in range(repeat):
            for name, run, count in (
                ("golive", golive_run, n),
                ("curl", curl_loop, n),
                ("golive_one_check", golive_run, 1),
            ):
                t = timed(base, count, lambda run=run, count=count: run(base, count, work))  # type: ignore[misc]
                times[name].append(t)
                log(f"{name} run {i + 1}/{repeat}: {t:.2f} s")
        if ansible_repeat:
            ansible_python()
            for i in range(ansible_repeat):
                t = timed(base, n, lambda: ansible_uri(base, n, work))
                times["ansible"].append(t)
                log(f"ansible run {i + 1}/{ansible_repeat}: {t:.1f} s")
    for name, values in times.items():
        if values:
            result[name] = {"median_s": round(statistics.median(values), 3), "times_s": [round(v, 3) for v in values]}
    golive_s = statistics.median(times["golive"])
    startup_s = statistics.median(times["golive_one_check"])
    result["golive_per_check_ms"] = round(golive_s / n * 1000, 2)
    # What the checks themselves cost, golive's fixed start-up (interpreter, record, shell, report) set apart.
    result["golive_checks_only_s"] = round(golive_s - startup_s, 3)
    result["ratio_vs_curl_checks_only"] = round(statistics.median(times["curl"]) / max(golive_s - startup_s, 1e-3), 1)
    result["ratio_vs_curl"] = round(statistics.median(times["curl"]) / golive_s, 1)
    result["target_vs_curl"] = TARGET_VS_CURL
    result["met_vs_curl"] = result["ratio_vs_curl"] >= TARGET_VS_CURL  # type: ignore[operator]
    if times["ansible"]:
        result["ratio_vs_ansible"] = round(statistics.median(times["ansible"]) / golive_s, 1)
        result["target_vs_ansible"] = TARGET_VS_ANSIBLE
        result["met_vs_ansible"] = result["ratio_vs_ansible"] >= TARGET_VS_ANSIBLE  # type: ignore[operator]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ansible-repeat", type=int, default=1)
    parser.add_argument("--no-ansible", action="store_true", help="skip ansible (no PyPI, or in a hurry)")
    args = parser.parse_args()
    return printed(lambda: measure(args.checks, args.repeat, 0 if args.no_ansible else args.ansible_repeat), log)


def printed(run: Callable[[], dict[str, object]], say: Callable[[str], None]) -> int:
    """The benchmark's JSON on stdout, exit 0; or why its numbers must not be used, exit 1."""
    try:
        result = run()
    except (BenchError, subprocess.CalledProcessError) as exc:
        say(f"FAILED: {exc}")
        return 1
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
