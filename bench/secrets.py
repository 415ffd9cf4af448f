"""Benchmark: what masking secrets costs per line of live output, and per megabyte of kept output.

It generates (from a fixed seed) realistic command output: log lines, JSON health answers, progress
lines, with a secret in about one line in fifty (a JWT, an AWS key, a password in a URL, a token
a command echoes), and measures, best and median of R:

- golive: `Masker.stream()` fed line by line (what the terminal shows), with eight known values;
- detect-secrets alone: its own ad-hoc API, `scan_line`, with all its detectors, on the same lines
  (what a team would call to scan output without golive);
- the old floor: replacing the eight known values with `str.replace` (golive before detection);
- a kept output: `Masker.parts(head, tail)` on 1 MB of the same output (what the store keeps).

Honesty checks: every planted secret is gone from golive's masked output, and no line without one
was changed; otherwise it exits 1 and reports no numbers. Target: 200 µs per line (5,000 lines/s;
the terminal shows at most 120 lines of a command, so that is at most 24 ms per command).

    .venv/bin/python bench/secrets.py [--lines N] [--repeat R]
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import statistics
import sys
import time
from collections.abc import Callable

from golive import secretscan
from golive.secrets import Masker

SEED = 20240601
TARGET_US_PER_LINE = 200.0
KNOWN = 8


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def workload(n: int) -> tuple[list[str], list[str], list[str]]:
    """(lines, the secrets planted in them, the known values a run would have learned)."""
    rng = random.Random(SEED)
    known = [f"tok_{rng.getrandbits(96):024x}" for _ in range(KNOWN)]
    planted: list[str] = []
    lines = []
    for i in range(n):
        kind = rng.randrange(50)
        if kind == 0:
            parts = (b'{"alg":"HS256","typ":"JWT"}', json.dumps({"sub": i}).encode(), rng.randbytes(32))
            jwt = ".".join(b64(part) for part in parts)
            planted.append(jwt)
            lines.append(f"Authorization: Bearer {jwt}")
        elif kind == 1:
            key = "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
            planted.append(key)
            lines.append(f"aws_access_key_id = {key}")
        elif kind == 2:
            pw = f"Pw{rng.getrandbits(64):016x}"
            planted.append(pw)
            lines.append(f"connecting to postgresql://app:{pw}@db.internal:5432/app")
        elif kind == 3:
            planted.append(known[i % KNOWN])
            lines.append(f"using token {known[i % KNOWN]}")
        elif kind < 20:
            when = f"2024-06-01 12:{i % 60:02d}:{i * 7 % 60:02d}"
            lines.append(f"INFO {when} worker-{i % 8} processed batch {i} in {i % 97} ms")
        elif kind < 30:
            lines.append(json.dumps({"status": "healthy", "version": "0.1.19", "uptime_s": i, "db": "up"}))
        elif kind < 40:
            lines.append(f"[{'#' * (i % 30):30}] {i % 100}% downloading layer {i:x}")
        else:
            lines.append(f"+ rsync -a build/ deploy@web{i % 4}:/srv/app/releases/{i}/")
    return lines, planted, known


def time_it(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def golive_stream(lines: list[str], known: list[str]) -> list[str]:
    secretscan._find.cache_clear()  # no help from lines seen in an earlier repeat
    stream = Masker(known).stream()
    out = []
    for line in lines:
        out += stream.feed(line)
    return out + stream.flush()


def detect_secrets_alone(lines: list[str]) -> int:
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import default_settings

    found = 0
    with default_settings():
        for line in lines:
            found += sum(1 for _ in scan_line(line))
    return found


def replace_known(lines: list[str], known: list[str]) -> list[str]:
    out = []
    for line in lines:
        for value in known:
            line = line.replace(value, "***")
        out.append(line)
    return out


def check(lines: list[str], masked: list[str], planted: list[str]) -> None:
    if len(masked) != len(lines):
        raise SystemExit(f"bench/secrets: {len(lines)} lines went in, {len(masked)} came out")
    text = "\n".join(masked)
    leaked = [p for p in planted if p in text]
    if leaked:
        raise SystemExit(f"bench/secrets: {len(leaked)} planted secrets were not masked, e.g. {leaked[0][:12]}…")
    clean = [a for a, b in zip(lines, masked, strict=True) if "***" not in b and a != b]
    if clean:
        raise SystemExit(f"bench/secrets: a line without a secret was changed: {clean[0]!r}")


def run(n: int, repeat: int) -> dict[str, object]:
    lines, planted, known = workload(n)
    check(lines, golive_stream(lines, known), planted)
    Masker()("warm up: import detect-secrets once")
    g_best, g_med = time_it(lambda: golive_stream(lines, known), repeat)
    d_best, d_med = time_it(lambda: detect_secrets_alone(lines), repeat)
    _r_best, r_med = time_it(lambda: replace_known(lines, known), repeat)
    big = "\n".join(lines * max(1, (1 << 20) // max(1, len("\n".join(lines)))))[: 1 << 20]

    def kept() -> object:
        secretscan._find.cache_clear()
        return Masker(known).parts(big[: len(big) // 2], big[len(big) // 2 :], 1)

    p_best, p_med = time_it(kept, repeat)
    per_line = g_med / n * 1e6
    print(f"bench/secrets: golive {per_line:.1f} µs/line, detect-secrets alone {d_med / n * 1e6:.1f}", file=sys.stderr)
    return {
        "lines": n,
        "secrets_planted": len(planted),
        "golive_stream": {"best_s": round(g_best, 4), "median_s": round(g_med, 4), "us_per_line": round(per_line, 1)},
        "detect_secrets_scan_line": {
            "best_s": round(d_best, 4),
            "median_s": round(d_med, 4),
            "us_per_line": round(d_med / n * 1e6, 1),
        },
        "replace_known_values": {"median_s": round(r_med, 4), "us_per_line": round(r_med / n * 1e6, 2)},
        "ratio_golive_to_detect_secrets": round(g_med / d_med, 2),
        "kept_output_1mb": {"best_s": round(p_best, 3), "median_s": round(p_med, 3)},
        "target_us_per_line": TARGET_US_PER_LINE,
        "met": per_line <= TARGET_US_PER_LINE,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--lines", type=int, default=5000, help="lines of output (default 5000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed repeats (default 5)")
    args = parser.parse_args(argv)
    if args.lines < 1 or args.repeat < 1:
        parser.error("--lines and --repeat must be at least 1")
    print(json.dumps(run(args.lines, args.repeat), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
