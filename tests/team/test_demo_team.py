"""Issue 15's must-show, played by scripts/demo-team on PostgreSQL: two processes, one run."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.record.conftest import fresh_database


@pytest.mark.timeout(300)
def test_two_people_take_a_gated_release_to_production_on_postgresql(tmp_path: Path) -> None:
    with fresh_database("postgres", tmp_path) as db:
        env = {**os.environ, "GOLIVE_DATABASE_URL": db.url}
        r = subprocess.run(["bash", "scripts/demo-team"], cwd=ROOT, env=env, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=280)  # fmt: skip
    said = r.stdout + r.stderr
    assert r.returncode == 0, said[-4000:]
    assert "ana runs this deployment and may not approve it" in said  # self-approval refused
    assert "alice already approved QA Lead; one person fills one role" in said  # two roles refused
    assert "approval by alice: going on" in said and "approval by dave: going on" in said  # no resume
    hooks = said.split("== the webhook received (titles)")[1]
    for state in ("started", "waits for a sign-off as QA Lead", "QA Lead approved by alice", "passed"):
        assert state in hooks, hooks
    assert "Day 1" in said.split("golive due --at +25h")[-1]
