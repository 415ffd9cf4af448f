"""The README's first command: the demo runs a real deployment end to end and exits 0."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.timeout(300)
def test_the_demo_runs_to_the_end_and_ends_with_the_report(isolated_home: Path) -> None:
    env = {**os.environ, "GOLIVE_HOME": str(isolated_home)}
    r = subprocess.run(["bash", "scripts/demo"], cwd=ROOT, env=env, capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=280)  # fmt: skip
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    last = r.stdout.strip().splitlines()[-1]
    assert last.startswith("report: ") and last.endswith(".md")
    report = Path(last.removeprefix("report: ")).read_text()
    assert "passed**" in report and "- [x] On-call engineer notified" in report
    assert "paused: waiting for a person" in r.stdout  # it showed the pause, and the people answering
    assert "11 passed" in r.stdout
