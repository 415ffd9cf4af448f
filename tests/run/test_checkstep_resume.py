"""A `log` check with `since: run` reads what was written since the run began, also when the run was
paused and resumed in between (seed 000's rollback: "Verify no orphaned threads" after L238, checked
for "[DownloadMonitor] Monitor thread stopped" written before the pause)."""

from __future__ import annotations

from pathlib import Path

from tests.commands.test_answers import run_id_of
from tests.commands.test_run import last_run, write
from tests.helpers import golive

CHECKLIST = """
    # CV Download Monitor

    ## Deployment Steps

    ```bash
    echo "[DownloadMonitor] Monitor thread stopped" >> alerts.log
    ```

    - [ ] Disable download monitor in config
    - [ ] Verify no orphaned threads
"""


def test_since_run_is_the_runs_start_after_a_resume(tmp_path: Path, isolated_home: Path) -> None:
    log = tmp_path / "alerts.log"
    log.write_text("[DownloadMonitor] Monitor thread started\n")  # before the run: not what it looks for
    checklist = write(tmp_path, CHECKLIST)
    profile = tmp_path / "rehearsal.yaml"
    profile.write_text(
        "name: rehearsal\nchecks:\n  - after: L10\n"
        "    check: {log: alerts.log, present: '[DownloadMonitor] Monitor thread stopped', since: run}\n"
        "answers:\n  - {item: L10, answer: confirm, by: Omar}\n"
    )
    r = golive("run", str(checklist), "--profile", str(profile), "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 3, r.stdout + r.stderr  # L9 waits for a person; the line is written already
    run_id = run_id_of(r.stdout)
    assert golive("confirm", run_id, "L9", "--as", "Omar", cwd=tmp_path).returncode == 0

    r = golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path)

    assert r.returncode == 0, r.stdout + r.stderr
    check = next(s for s in last_run(isolated_home)["steps"] if s["id"] == "L10.1")
    assert check["status"] == "passed", check["reason"]
    assert "1 line(s) since the run began" in check["reason"]


def test_since_run_never_reads_what_was_there_before_the_run(tmp_path: Path, isolated_home: Path) -> None:
    (tmp_path / "alerts.log").write_text("[DownloadMonitor] Monitor thread stopped\n")  # an old run's
    checklist = write(tmp_path, CHECKLIST.replace('echo "[DownloadMonitor] Monitor thread stopped"', "echo other"))
    profile = tmp_path / "rehearsal.yaml"
    profile.write_text(
        "name: rehearsal\nchecks:\n  - after: L10\n"
        "    check: {log: alerts.log, present: '[DownloadMonitor] Monitor thread stopped', since: run}\n"
        "answers:\n  - {items: [L9, L10], answer: confirm, by: Omar}\n"
    )
    r = golive("run", str(checklist), "--profile", str(profile), "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    check = next(s for s in last_run(isolated_home)["steps"] if s["id"] == "L10.1")
    assert check["status"] == "failed" and "not found since the run began" in check["reason"]
