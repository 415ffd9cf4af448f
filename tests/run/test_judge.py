"""Judging output the way a careful person would: golden cases in tests/golden/expect/*.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from golive.model import Command
from golive.parse.expectations import parse_expectation
from golive.run.judge import judge, subset_problem

CASES = sorted((Path(__file__).parents[1] / "golden" / "expect").glob("*.json"))


def load(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text())  # type: ignore[no-any-return]


@pytest.mark.parametrize("case", [c for path in CASES for c in load(path)], ids=lambda c: str(c["name"]))
def test_golden_case(case: dict[str, Any]) -> None:
    expectations = tuple(parse_expectation(e, 1) for e in case.get("expect", []))
    command = Command(1, 1, case.get("command", "true"), expectations=expectations)
    verdict = judge(
        command, case.get("exit", 0), case.get("out", ""), case.get("err", ""), case.get("timed_out", False)
    )
    assert verdict.status == case["verdict"], verdict.reason
    if "reason" in case:
        assert case["reason"] in verdict.reason


def test_json_subset_rules() -> None:
    assert subset_problem({"a": {"b": 1}}, {"a": {"b": 2, "c": 3}, "d": 4}, "$") == ""
    assert (
        subset_problem({"status": "healthy"}, {"status": "degraded"}, "$")
        == "$.status is 'degraded', expected 'healthy'"
    )
    assert subset_problem({"ok": True}, {"ok": 1}, "$") != ""
    assert subset_problem([{"id": 1}], [{"id": 5, "n": "x"}], "$") == ""
    assert subset_problem({"at": "2024-12-04T10:30:00Z"}, {"at": "2026-01-01T00:00:00Z"}, "$") == ""
    assert subset_problem({"at": "2024-12-04T10:30:00Z"}, {"at": 5}, "$") != ""


def test_an_echo_fallback_that_ran_goes_to_a_person() -> None:
    """Seed 004 L312 `curl -f http://localhost:8000/ || echo "Admin UI down!"` exits 0 up or down."""
    from golive import plan as planning
    from golive.parse import parse_text
    from tests.conftest import seed

    path = seed("004")
    step = planning.build(parse_text(path.read_text(), str(path))).step("L312")
    assert step is not None and step.command is not None
    up = judge(step.command, 0, '{"ok":true,"admin":"/admin"}', "", False)
    down = judge(step.command, 0, "Admin UI down!\n", "curl: (7) Failed to connect to localhost port 8000", False)
    assert up.status == "passed"
    assert down.status == "person"
    assert "'Admin UI down!'" in down.reason
