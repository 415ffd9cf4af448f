"""Fixtures of the Workset Monitor rehearsal (seed 002): its world, started fresh for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.rehearsal.workset_monitor.standin import World

# repo/ is the daylily checkout the seed deploys: its tests run inside a rehearsal (seed Step 8),
# against the deployed stand-in, never as part of golive's suite.
collect_ignore = ["repo"]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    created = World.create(tmp_path / "rehearsal")
    try:
        yield created
    finally:
        created.close()
