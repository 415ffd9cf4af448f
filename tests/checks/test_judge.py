"""The judging half of every check type is pure: (options, observation) -> facts. A table each."""

from __future__ import annotations

from typing import Any

import pytest

from golive.checks import load
from golive.checks.compare import comparison, parse_bytes, parse_seconds, version_fact
from golive.parse.annotations import parse_specs

# (annotation, observation, passes, the reason judging gives)
CASES: list[tuple[str, dict[str, Any], bool, str]] = [
    ("http: GET http://h/\nexpect: {status: 200}", {"status": 200}, True, "status 200"),
    ("http: GET http://h/\nexpect: {status: [200, 204]}", {"status": 500}, False, "status 500, want one of [200, 204]"),
    ("http: GET http://h/\nexpect: {status: 2xx}", {"status": 404}, False, "status 404, want 2xx"),
    ('http: GET http://h/\nexpect: {ms: "<100"}', {"status": 200, "ms": 183.0}, False, "time 183 ms, want < 100 ms"),
    (
        "http: GET http://h/\nexpect: {json: {status: healthy, n: 1}}",
        {"status": 200, "_body": '{"status": "healthy", "n": 7}'},
        True,
        'status 200; json contains {"status": "healthy", "n": 1}',
    ),
    (
        "http: GET http://h/\nexpect: {json: {a: 1}}",
        {"status": 200, "_body": "<html>"},
        False,
        "body is not JSON: '<html>'",
    ),
    ("tcp: h:1", {"open": False, "why": "refused"}, False, "h:1 is closed (refused), want open"),
    ("tcp: h:1\nexpect: closed", {"open": False, "why": "refused"}, True, "h:1 is closed (refused)"),
    ("sql: sqlite:///x\nquery: q\nexpect: {value: '>0'}", {"value": 0, "rows": 1}, False, "value 0, want > 0"),
    ("sql: sqlite:///x\nquery: q\nexpect: {value: ok}", {"value": "ok", "rows": 1}, True, "value ok"),
    (
        "sql: sqlite:///x\nmigration: head\nscripts: m",
        {"revision": ["a"], "heads": ["b"]},
        False,
        "revision a, want head b",
    ),
    ("redis: redis://h\nttl: k\nexpect: {ttl: '>0'}", {"ping": True, "ttl": -2}, False, "key k does not exist"),
    ("env: [A]\nrules: {A: {one_of: [x, y]}}", {"_values": {"A": "z"}}, False, "A is 'z', want one of x, y"),
    (
        "env: [API_TOKEN]\nrules: {API_TOKEN: {equals: abc}}",
        {"_values": {"API_TOKEN": "xyz"}},
        False,
        "API_TOKEN does not equal the expected value",
    ),
    (
        "env: [U]\nrules: {U: {not_contains: localhost}}",
        {"_values": {"U": "http://localhost"}},
        False,
        "U contains 'localhost'",
    ),
    ("file: f\nmode: '600'", {"exists": True, "path": "/f", "mode": "640"}, False, "mode 640, want 600"),
    (
        "file: f\nsize: '<1KB'",
        {"exists": True, "path": "/f", "mode": "600", "size": 5000},
        False,
        "size 5000 bytes, want < 1KB",
    ),
    (
        "file: f\nage: '<1h'",
        {"exists": True, "path": "/f", "mode": "600", "age_s": 7200.0},
        False,
        "age 7200 s, want < 1h",
    ),
    ("file: f\nexists: false", {"exists": True, "path": "/f"}, False, "f exists, want it absent"),
    ("version: tool\nequals: 3.2.0", {"version": "tool 3.1.9"}, False, "tool version 3.1.9, want 3.2.0"),
    ("version: tool\nat_least: '12'", {"version": "12.0.1"}, True, "tool version 12.0.1 (≥ 12)"),
    (
        "process: p\nexpect: {cpu_percent: '<1'}",
        {"count": 1, "cpu_percent": 3.5, "window_s": 30},
        False,
        "CPU over 30 s 3.5 %, want < 1 %",
    ),
    (
        "secrets: src",
        {"files": 3, "findings": [{"file": "a.py", "line": 2, "type": "Secret Keyword", "hash": "ab"}]},
        False,
        "1 possible secret(s) in src: a.py:2 (Secret Keyword)",
    ),
    ("git: {branch: main}", {"commit": "abc", "branch": None}, False, "branch (detached HEAD), want main"),
    (
        "log: f\nabsent: boom",
        {"counts": {"boom": 2}, "lines": 9, "_examples": {"boom": ["x boom"]}},
        False,
        "'boom': 2 line(s) since the run began, first: 'x boom'",
    ),
    (
        "bench: GET http://h/\nexpect: {p95_ms: '<100'}",
        {"requests": 10, "errors": 0, "p95_ms": 183.0, "rps": 50.0},
        False,
        "p95 183 ms, want < 100 ms",
    ),
    (
        "wait: {tcp: 'h:1'}",
        {"passed": False, "attempts": 3, "waited_s": 4.0, "last": "h:1 is closed"},
        False,
        "still failing after 3 attempts, 4 s (timeout 60 s): h:1 is closed",
    ),
]


@pytest.mark.parametrize(("annotation", "observation", "passes", "reason"), CASES)
def test_judge(annotation: str, observation: dict[str, Any], passes: bool, reason: str) -> None:
    specs, errors = parse_specs(annotation, 1)
    assert not errors, errors
    module = load(specs[0].type)
    facts = module.judge(module.Spec.model_validate(specs[0].data), observation)
    shown = "; ".join(f.text for f in (facts if passes else [f for f in facts if not f.ok]))
    assert (bool(facts) and all(f.ok for f in facts)) == passes
    assert shown == reason


@pytest.mark.parametrize(
    ("written", "actual", "holds", "shown"),
    [
        ("<200", 183, True, "< 200"),
        (">=32", 5, False, "≥ 32"),
        ("!= 0", 0, False, "≠ 0"),
        ("≤ 1.5", 1.5, True, "≤ 1.5"),
        (3, 3, True, "3"),
        ("3", 4, False, "3"),
    ],
)
def test_comparisons(written: object, actual: float, holds: bool, shown: str) -> None:
    c = comparison(written)
    assert c is not None and c.holds(actual) is holds and str(c) == shown


def test_not_a_comparison() -> None:
    assert comparison("healthy") is None and comparison(True) is None


@pytest.mark.parametrize(
    ("written", "seconds"), [("30s", 30.0), ("500ms", 0.5), ("2m", 120.0), ("1h", 3600.0), (5, 5.0), ("1.5", 1.5)]
)
def test_durations(written: object, seconds: float) -> None:
    assert parse_seconds(written) == seconds


@pytest.mark.parametrize(("written", "size"), [("10MB", 10e6), ("1KiB", 1024.0), (300, 300.0), ("2 GB", 2e9)])
def test_sizes(written: object, size: float) -> None:
    assert parse_bytes(written) == size


@pytest.mark.parametrize(
    ("actual", "wanted", "ok"),
    [
        ("3.1.9", "3.2.0", False),
        ("12", ">=12.0", True),
        ("15.19 (Debian)", ">=12", True),
        ("1.10", ">1.9", True),
        ("2.0", "<2", False),
    ],
)
def test_versions(actual: str, wanted: str, ok: bool) -> None:
    assert version_fact("v", actual, wanted).ok is ok
