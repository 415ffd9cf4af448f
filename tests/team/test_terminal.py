"""At a terminal, a run whose sign-off only someone else may give waits for it (no --wait needed),
saying whom it waits for; the approval from another terminal lets it go on. Ctrl-C pauses it."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import golive
from tests.record.conftest import Database
from tests.run.test_prompts import finish, spawn
from tests.team.conftest import open_store, write


def test_at_a_terminal_the_runner_waits_for_the_approvers_and_goes_on(
    team_store: Database, tmp_path: Path, isolated_home: Path
) -> None:
    child = spawn(tmp_path, "run", str(write(tmp_path)), "--yes", "--as", "ana", env={"NO_COLOR": "1"})
    child.expect(r"waiting for a sign-off as QA Lead \(alice or bob\): Approved for production \(until answered")
    run_id = open_store(isolated_home).runs(1)[0].id
    assert golive("approve", run_id, "--as", "bob", "--role", "QA Lead", cwd=tmp_path).returncode == 0
    child.expect(r"approval by bob: going on")
    child.expect(r"waiting for a sign-off as DevOps Lead \(anyone but ana, who runs it\)")
    assert golive("approve", run_id, "--as", "dave", "--role", "DevOps Lead", cwd=tmp_path).returncode == 0
    code, out = finish(child)
    assert code == 0, out
    assert (tmp_path / "deployed.txt").exists()


def test_ctrl_c_while_waiting_pauses_the_run(team_store: Database, tmp_path: Path, isolated_home: Path) -> None:
    child = spawn(tmp_path, "run", str(write(tmp_path)), "--yes", "--as", "ana", env={"NO_COLOR": "1"})
    child.expect(r"waiting for a sign-off as QA Lead")
    child.sendintr()
    code, out = finish(child)
    assert code == 3, out
    assert "‖ paused: waiting for a sign-off as QA Lead" in out
    assert open_store(isolated_home).runs(1)[0].status == "paused" and not (tmp_path / "deployed.txt").exists()
