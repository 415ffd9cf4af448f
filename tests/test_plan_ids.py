"""Every step of a plan has its own id: a choice, a field, a command is named once (seed 004's C152
"uvicorn / gunicorn" is one choice; seed 002's DYNAMODB_TABLE_NAME, blank at L22 and again at L42, is
one field, given where it first appears). An id is what `golive confirm`, `--from`, a profile and the
reports name a step by; two steps under one id would share one answer and one result."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from golive import plan as planning
from golive.parse import load
from tests.conftest import CORPUS, SEEDS, seed


@pytest.mark.parametrize("path", [*SEEDS, *CORPUS], ids=lambda p: Path(p).name[:30])
def test_step_ids_are_unique(path: Path) -> None:
    plan = planning.build(load(str(path)))
    ids = Counter(s.id for s in (*plan.steps, *plan.rollback, *plan.followups))
    assert [i for i, n in ids.items() if n > 1] == []


def test_a_field_written_twice_is_one_value_its_second_place_a_step_of_its_own() -> None:
    plan = planning.build(load(str(seed("002"))))
    table = [s for s in plan.steps if s.id == "DYNAMODB_TABLE_NAME"]
    assert [(s.id, s.line) for s in table] == [("DYNAMODB_TABLE_NAME", 22)]
    again = [s for s in plan.steps if s.field and s.field.name == "DYNAMODB_TABLE_NAME"]
    assert [s.id for s in again] == ["DYNAMODB_TABLE_NAME", "DYNAMODB_TABLE_NAME@L42"]  # one value, two places
    assert [s.id for s in plan.steps if s.kind is planning.Kind.CHOOSE].count("C52") == 1
