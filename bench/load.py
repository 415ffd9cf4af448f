"""Benchmark: golive's `bench` check against wrk, at concurrency 10, on the same local endpoint.

The endpoint (bench/_server.py, its own process) answers after 50 ms. Each round runs wrk
(`-t2 -c10 -d{D}s`, percentiles from its latency histogram through a Lua `done` hook) and
`golive run` of a one-check checklist (`bench: GET …`, `duration: D`, `concurrency: 10`), whose
measured values are read back from the record (`golive show --json`). Medians over R rounds;
target: golive's p50 and p95 within 15 % of wrk's. golive's own throughput is recorded too, on an
endpoint that answers at once (what one golive process can drive). wrk comes from Debian; the
benchmark installs it with apt-get when it is missing.

    .venv/bin/python bench/load.py [--duration S] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from checks import BenchError, printed, run_checklist, service  # bench/checks.py: the script's folder is on sys.path

CONCURRENCY = 10
DELAY_MS = 50
TOLERANCE = 0.15
WRK_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format('{"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "requests": %d, "errors": %d, '
    .. '"rps": %.1f}\\n', latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests, errors, summary.requests / (summary.duration / 1e6)))
end
"""


def log(message: str) -> None:
    print(f"bench/load: {message}", file=sys.stderr, flush=True)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: apt-get install wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, capture_output=True, check=True)
    found = shutil.which("wrk")
    if not found:
        raise BenchError("wrk could not be installed")
    return found


def wrk(binary: str, url: str, duration: float, work: Path) -> dict[str, Any]:
    script = work / "report.lua"
    script.write_text(WRK_REPORT)
    r = subprocess.run(
        [binary, "-t2", f"-c{CONCURRENCY}", f"-d{int(duration)}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(r.stdout.strip().splitlines()[-1])
    if result["errors"] or not result["requests"]:
        raise BenchError(f"wrk saw {result['errors']} errors in {result['requests']} requests")
    return result


def golive_bench(url: str, duration: float, work: Path) -> dict[str, Any]:
    checklist = work / "LOAD.md"
    checklist.write_text(
        f"# Load\n\n## Verify\n\n```golive\n- bench: GET {url}\n  duration: {duration}s\n"
        f"  concurrency: {CONCURRENCY}\n  expect: {{errors: 0}}\n```\n"
    )
    step = run_checklist(checklist, work)[1][0]
    measured: dict[str, Any] = step["measured"]
    if step["status"] != "passed" or measured["errors"]:
        raise BenchError(f"golive's bench check did not pass: {step['reason']}")
    return measured


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    return round(statistics.median(float(r[key]) for r in runs), 3)


def measure(duration: float, repeat: int) -> dict[str, Any]:
    binary = ensure_wrk()
    runs: dict[str, list[dict[str, Any]]] = {"wrk": [], "golive": []}
    with tempfile.TemporaryDirectory(prefix="golive-bench-load-") as tmp:
        work = Path(tmp)
        with service(DELAY_MS) as base:
            url = f"{base}/health"
            for i in range(repeat):
                runs["wrk"].append(wrk(binary, url, duration, work))
                runs["golive"].append(golive_bench(url, duration, work))
                log(
                    f"round {i + 1}/{repeat}: wrk p50 {runs['wrk'][-1]['p50_ms']} ms, golive p50 "
                    f"{runs['golive'][-1]['p50_ms']} ms"
                )
        with service(0) as base:
            own = golive_bench(f"{base}/health", duration, work)
            own_wrk = wrk(binary, f"{base}/health", duration, work)
    result: dict[str, Any] = {"endpoint_delay_ms": DELAY_MS, "concurrency": CONCURRENCY, "duration_s": duration}
    for tool, values in runs.items():
        result[tool] = {k: median_of(values, k) for k in ("p50_ms", "p95_ms", "p99_ms", "rps")}
    for p in ("p50_ms", "p95_ms"):
        ratio = result["golive"][p] / result["wrk"][p]
        result[f"{p}_ratio"] = round(ratio, 3)
        result[f"{p}_within_15_percent"] = abs(ratio - 1) <= TOLERANCE
    result["golive_throughput_rps"] = own["rps"]
    result["wrk_throughput_rps"] = own_wrk["rps"]
    result["throughput_endpoint_delay_ms"] = 0
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    return printed(lambda: measure(args.duration, args.repeat), log)


if __name__ == "__main__":
    sys.exit(main())
