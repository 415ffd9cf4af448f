"""No "passed" that isn't, and what the operator sees is true: sign-offs are never skipped, an
option's skip says so, a run with nothing verified does not pass, the same duration everywhere."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from golive.record.store import Store
from tests.commands.test_run import DEPLOY, last_run, statuses, write
from tests.conftest import ROOT, seed
from tests.helpers import golive

SIGNOFFS = ("L264", "L265", "L266", "L267")  # seed 000 "## Sign-Off": QA Lead, DevOps Lead, Product Owner, Security


def test_manual_skip_never_skips_a_sign_off_and_the_run_waits_for_them(tmp_path: Path, isolated_home: Path) -> None:
    checklist = tmp_path / "DEPLOY.md"
    shutil.copy(seed("000"), checklist)
    fields = ["--var", "DEPLOYMENT_DATE=2026-11-30", "--var", "DEPLOYED_BY=ana", "--var", "APPROVED_BY=quinn"]
    r = golive("run", str(checklist), "--from", "L264", "--non-interactive", "--yes", "--manual", "skip", *fields,
               cwd=tmp_path)  # fmt: skip
    assert r.returncode == 3, r.stdout + r.stderr
    assert "waiting for a sign-off as QA Lead" in r.stdout
    run_id = r.stdout.splitlines()[0].split()[-1]
    assert not {statuses(last_run(isolated_home))[s] for s in SIGNOFFS} & {"skipped", "confirmed"}

    for item, who in zip(SIGNOFFS, ("Quinn", "Dana", "Pat", "Sam"), strict=True):
        assert golive("confirm", run_id, item, "--as", who, cwd=tmp_path).returncode == 0
    r = golive("resume", run_id, "--non-interactive", cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    report = last_run(isolated_home)
    assert [(s["status"], s["actor"]) for s in report["steps"] if s["id"] in SIGNOFFS] == [
        ("confirmed", "Quinn"), ("confirmed", "Dana"), ("confirmed", "Pat"), ("confirmed", "Sam"),
    ]  # fmt: skip


def test_a_skip_by_manual_skip_is_the_options_doing_attributed_to_who_gave_it(
    tmp_path: Path, isolated_home: Path
) -> None:
    checklist = write(tmp_path, DEPLOY)
    args = ["--non-interactive", "--yes", "--manual", "skip", "--var", "DEPLOYED_BY=ana", "--as", "Ana"]
    r = golive("run", str(checklist), *args, cwd=tmp_path)
    assert r.returncode == 3 and "a sign-off as QA Lead" in r.stdout  # L39, never skipped
    l5 = next(s for s in last_run(isolated_home)["steps"] if s["id"] == "L5")
    assert l5["status"] == "skipped" and l5["actor"] is None  # nobody decided it
    assert l5["reason"] == "no person at the terminal (--manual skip, given by Ana)"
    assert "skipped by Ana" not in r.stdout and "skipped: no person at the terminal (--manual skip, given by Ana)" in (
        r.stdout
    )


def test_a_run_where_nothing_was_verified_does_not_pass(tmp_path: Path, isolated_home: Path) -> None:
    checklist = write(tmp_path, """
        # Go live

        ## Pre-Deployment

        - [ ] Change approved
        - [ ] Backups checked
        """)  # fmt: skip
    r = golive("run", str(checklist), "--non-interactive", "--manual", "skip", cwd=tmp_path)
    assert r.returncode == 1, r.stdout
    report = last_run(isolated_home)
    assert report["run"]["status"] == "failed"
    assert "nothing was verified or confirmed (2 skipped)" in r.stdout


def test_as_is_kept_on_resume(tmp_path: Path, isolated_home: Path) -> None:
    checklist = write(tmp_path, DEPLOY)
    env_without_user = {k: v for k, v in __import__("os").environ.items() if k != "GOLIVE_USER"}
    r = golive("run", str(checklist), "--non-interactive", "--as", "Ana", cwd=tmp_path, env=env_without_user)
    run_id = r.stdout.splitlines()[0].split()[-1]
    assert golive("confirm", run_id, "L5", "--as", "Quinn", cwd=tmp_path).returncode == 0
    golive("resume", run_id, "--non-interactive", "--var", "DEPLOYED_BY=ana", cwd=tmp_path, env=env_without_user)
    events = Store.open(isolated_home).events(run_id)
    assert [e.actor for e in events if e.type == "run_resumed"] == ["Ana"]
    assert next(e.actor for e in events if e.type == "field_set") == "Ana"


def test_terminal_and_report_agree_on_the_duration_over_a_pause(tmp_path: Path, isolated_home: Path) -> None:
    checklist = write(tmp_path, """
        # Slow then ask

        ## Deployment Steps

        ```bash
        sleep 2
        ```

        - [ ] Looks right

        ```bash
        echo done
        ```
        """)  # fmt: skip
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path)
    run_id = r.stdout.splitlines()[0].split()[-1]
    time.sleep(3)  # the pause is not work: neither the terminal nor the report counts it
    golive("confirm", run_id, "L9", cwd=tmp_path)
    r = golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    terminal = re.search(rf"run {run_id} passed in (\S+ s)", r.stdout)
    report = re.search(r"took (\S+ s)", golive("report", run_id, cwd=tmp_path).stdout)
    assert terminal and report and terminal.group(1) == report.group(1), (r.stdout, report)
    assert int(terminal.group(1).split()[0]) < 5  # the 3 s pause is left out


def test_a_command_step_has_a_title_and_a_silent_command_says_how_long_it_runs(tmp_path: Path) -> None:
    checklist = write(tmp_path, """
        # Migrate

        ## Deployment Steps

        ```bash
        # Run actual migration
        sleep 7
        ```
        """)  # fmt: skip
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    assert "› L7 Run actual migration" in r.stdout
    assert re.search(r"… \d+ s running, no output yet", r.stdout), r.stdout


def test_readme_says_how_a_rolled_back_run_exits() -> None:
    """test_run.py: --rollback-on-failure exits 1, `golive rollback RUN` exits 0 when the rollback passed."""
    readme = (ROOT / "README.md").read_text()
    assert "1 failed (also a run that rolled back after a failure" in readme
    assert "`golive rollback RUN` exits 0 when the rollback section passed, 1 when it" in readme
