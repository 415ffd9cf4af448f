"""Options are checked before a run exists: a bad one is exit 2 with one line, and no run is created.
And `golive abandon` ends a run nobody will finish."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from golive.record.store import Store
from tests.commands.test_run import DEPLOY, PLACEHOLDERS, last_run, write
from tests.conftest import seed
from tests.helpers import golive


def no_run_exists(home: Path) -> bool:
    return not (home / "golive.db").exists() or Store.open(home).runs(1) == []


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        (["--choose", "bogus"], "'bogus' is not STEP=LABEL"),
        (["--var", "NOEQUALS"], "'NOEQUALS' is not NAME=VALUE"),
        (["--var", "1X=2"], "'1X' is not a variable name"),
        (["--choose", "Step 2=bogus"], None),  # seed 001 Step 2: systemd / supervisor / manually
        (["--choose", "Nowhere=systemd"], "no alternatives there"),
        (["--from", "L999"], "--from L999: no such step"),
        (["--timeout", "-5"], "'-5' is not a duration"),
        (["--timeout", "nan"], "'nan' is not a duration"),
        (["--timeout", "0"], "'0' is not a positive duration"),
        (["--follow-window", "inf"], "is not a duration"),
        (["--manual", "sometimes"], "'sometimes' is not one of"),
    ],
)
def test_a_bad_option_is_one_line_exit_2_and_no_run(
    tmp_path: Path, isolated_home: Path, bad: list[str], says: str | None
) -> None:
    checklist = tmp_path / "DEPLOY.md"
    shutil.copy(seed("001"), checklist)
    r = golive("run", str(checklist), "--non-interactive", "--yes", *bad, cwd=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert says is None or says in r.stderr, r.stderr
    assert no_run_exists(isolated_home)


def test_a_choice_naming_no_option_says_which_options_there_are(tmp_path: Path) -> None:
    checklist = tmp_path / "DEPLOY.md"
    shutil.copy(seed("001"), checklist)
    r = golive("run", str(checklist), "--dry-run", "--choose", "Step 2=bogus", cwd=tmp_path)
    assert r.returncode == 2 and "has no option 'bogus'" in r.stderr and "1. systemd" in r.stderr


def test_durations_take_units(tmp_path: Path, isolated_home: Path) -> None:
    r = golive(
        "run", str(write(tmp_path, PLACEHOLDERS)), "--non-interactive", "--timeout", "2m", "--follow-window", "90s",
        cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 3
    options = last_run(isolated_home)  # the run exists, with the durations in seconds
    store = Store.open(isolated_home)
    recorded = store.run(options["run"]["id"]).options
    assert (recorded["timeout_s"], recorded["follow_window_s"]) == (120.0, 90.0)


def test_a_report_to_a_missing_directory_is_bad_input(tmp_path: Path) -> None:
    r = golive("run", str(write(tmp_path, DEPLOY)), "--non-interactive", cwd=tmp_path)
    run_id = r.stdout.splitlines()[0].split()[-1]
    r = golive("report", run_id, "-o", "/no/such/dir/x.md", cwd=tmp_path)
    assert r.returncode == 2 and "/no/such/dir/x.md" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("command", ["lint", "run", "plan"])
def test_a_file_that_is_not_a_checklist_is_bad_input(tmp_path: Path, isolated_home: Path, command: str) -> None:
    r = golive(command, "/etc/passwd", cwd=tmp_path)
    if command == "plan":
        return  # plan shows what it reads, even nothing; lint and run refuse
    assert r.returncode == 2 and "not a checklist" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert no_run_exists(isolated_home)


@pytest.mark.parametrize(
    "text",
    ["", "# Notes\n\nJust prose, nothing to do.\n", "# Done\n\n## Deployment Steps\n\n- [x] Everything ticked\n"],
)
def test_a_checklist_with_nothing_to_do_is_not_a_deployment(tmp_path: Path, isolated_home: Path, text: str) -> None:
    checklist = tmp_path / "EMPTY.md"
    checklist.write_text(text)
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 2 and "passed" not in r.stdout, r.stdout + r.stderr
    assert no_run_exists(isolated_home)


def test_abandon_ends_a_run_nobody_will_finish(tmp_path: Path, isolated_home: Path) -> None:
    checklist = write(tmp_path, DEPLOY)
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path)
    run_id = r.stdout.splitlines()[0].split()[-1]
    assert golive("abandon", run_id, "--reason", "  ", cwd=tmp_path).returncode == 2
    r = golive("abandon", run_id, "--reason", "superseded by release 2.1", "--as", "Ana", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    report = last_run(isolated_home)
    assert report["run"]["status"] == "abandoned"
    finished = [e for e in Store.open(isolated_home).events(run_id) if e.type == "run_finished"]
    assert finished[-1].actor == "Ana" and finished[-1].data["reason"] == "superseded by release 2.1"

    for command in (["resume", run_id], ["confirm", run_id, "L5"], ["abandon", run_id, "--reason", "again"]):
        refused = golive(*command, "--non-interactive", cwd=tmp_path) if command[0] == "resume" else golive(*command)
        assert refused.returncode == 2, command
    # Its lock is released: the next run of the same checklist starts.
    assert golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path).returncode == 3
