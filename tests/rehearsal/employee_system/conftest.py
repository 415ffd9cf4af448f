"""Fixtures of the Employee Management System rehearsal (seed 003): its world, fresh per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.rehearsal.employee_system.standin import World

# app/ is the repository the seed deploys (its tests and scripts run inside a rehearsal), bin/ the
# stand-in commands: neither is part of golive's suite.
collect_ignore = ["app", "bin"]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    created = World.create(tmp_path / "rehearsal")
    try:
        yield created
    finally:
        created.close()


@pytest.fixture
def faulty_world(tmp_path: Path) -> Iterator[World]:
    created = World.create(tmp_path / "rehearsal", fault="duplicate-email")
    try:
        yield created
    finally:
        created.close()
