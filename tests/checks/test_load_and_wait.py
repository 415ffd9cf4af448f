"""`bench` (HTTP load) and `wait` against the app on loopback."""

from __future__ import annotations

import threading
import time

from tests.checks.conftest import App, errors_of, run_check


def test_bench_measures_percentiles_throughput_and_errors(app: App) -> None:
    result = run_check(
        f'bench: GET {app.url}/health?ms=20\nrequests: 60\nconcurrency: 6\nexpect: {{p95_ms: "<2000", rps: ">1"}}'
    )
    assert result.passed, result.reason
    m = result.measured
    assert m["requests"] == 60 and m["errors"] == 0 and app.hits == 60
    assert 20 <= m["p50_ms"] <= m["p95_ms"] <= m["p99_ms"] <= m["max_ms"]
    assert m["rps"] > 0 and m["concurrency"] == 6


def test_bench_fails_on_slow_answers_and_errors(app: App) -> None:
    slow = run_check(f'bench: GET {app.url}/health?ms=60\nrequests: 10\nexpect: {{p95_ms: "<30"}}')
    assert not slow.passed and slow.reason.startswith("p95 ") and slow.reason.endswith("ms, want < 30 ms")
    app.broken = True
    errors = run_check(f"bench: GET {app.url}/health\nrequests: 10")
    assert not errors.passed and errors.reason == "errors 10, want 0 of 10 requests"


def test_bench_for_a_duration(app: App) -> None:
    result = run_check(f"bench: GET {app.url}/health\nduration: 1s\nconcurrency: 2")
    assert result.passed, result.reason
    assert 0.9 < result.measured["duration_s"] < 5 and result.measured["requests"] > 2


def test_malformed_bench_checks() -> None:
    assert errors_of("bench: GET http://x/\nrequests: 10\nduration: 5s\nconcurrency: 0") == [
        "13: concurrency: Input should be greater than or equal to 1 (bench check)",
    ]
    assert errors_of("bench: GET http://x/\nrequests: 10\nduration: 5s") == [
        "10: bench: give `requests` or `duration`, not both (bench check)",
    ]


def test_wait_until_the_service_comes_up(app: App) -> None:
    app.broken = True
    threading.Timer(1.0, lambda: setattr(app, "broken", False)).start()
    started = time.monotonic()
    result = run_check(
        f"wait: {{http: GET {app.url}/health, expect: {{status: 200}}}}\ntimeout: 30s\ninterval: 200ms"
    )
    assert result.passed, result.reason
    assert result.measured["attempts"] > 1 and time.monotonic() - started < 20
    assert result.reason.startswith("passed after ") and result.reason.endswith(": status 200")


def test_wait_gives_up_at_its_timeout(app: App) -> None:
    app.broken = True
    result = run_check(f"wait: {{http: GET {app.url}/health, expect: {{status: 200}}}}\ntimeout: 1s\ninterval: 300ms")
    assert not result.passed
    assert "still failing after" in result.reason and "status 503, want 200" in result.reason


def test_malformed_wait_checks_are_found_inside_too() -> None:
    assert errors_of("wait: {htp: GET http://x}\ninterval: soon") == [
        "10: htp: unknown check type (did you mean `http`?): a check starts with one of http, tcp, sql, redis, env, "
        "file, version, process, secrets, git, log, bench, wait",
        "11: interval: Input should be a valid number, unable to parse string as a number (wait check)",
    ]
