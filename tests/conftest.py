"""Shared test set-up: the seeds and corpus from ../shared, and isolation from any real ~/.golive."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
CORPUS = sorted((SHARED / "corpus").glob("[0-9]*.md"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

assert SEEDS and CORPUS, f"the seeds and corpus are read from {SHARED}; it must exist beside the project"


def seed(prefix: str) -> Path:
    """The seed checklist whose file name starts with `prefix` ("000" … "004")."""
    return next(p for p in SEEDS if p.name.startswith(prefix))


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own GOLIVE_HOME: nothing touches a real .golive."""
    home = tmp_path / "golive-home"
    monkeypatch.setenv("GOLIVE_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("GOLIVE_DATABASE_URL", raising=False)
    return home
