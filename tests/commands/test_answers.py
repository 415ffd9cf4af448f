"""`golive confirm` as an operator uses it on a paused or failed run: every answer it accepts takes
effect, once, recorded for what it is; an answer that cannot apply is refused with the reason."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from golive.record.store import Store
from tests.commands.test_run import DEPLOY, last_run, statuses, write
from tests.conftest import seed
from tests.helpers import golive


def run_id_of(stdout: str) -> str:
    return stdout.splitlines()[0].split()[-1]


def step(report: dict, item: str) -> dict:  # type: ignore[type-arg]
    return next(s for s in report["steps"] if s["id"] == item)


def migration_that_fails(tmp_path: Path) -> Path:
    """Seed 001 Step 6 (L181 `python scripts/migrate_json_to_sqlite.py`) against a migration that fails
    and counts how often it ran."""
    checklist = tmp_path / "DEPLOY.md"
    shutil.copy(seed("001"), checklist)
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "migrate_json_to_sqlite.py").write_text(
        "import sys\nopen('ran.txt', 'a').write('ran\\n')\nprint('EOFError: no metadata')\nsys.exit(1)\n"
    )
    return checklist


@pytest.mark.parametrize(
    ("answer", "status", "reason"),
    [
        (["--skip", "migrated by hand, ticket 42"], "skipped", "skipped: migrated by hand, ticket 42"),
        (["--done"], "confirmed", "Ana did it by hand"),
    ],
)
def test_an_answer_to_a_failed_step_is_its_outcome_and_it_does_not_run_again(
    tmp_path: Path, isolated_home: Path, answer: list[str], status: str, reason: str
) -> None:
    checklist = migration_that_fails(tmp_path)
    r = golive("run", str(checklist), "--from", "L181", "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode in (1, 3), r.stdout + r.stderr  # failed, or paused to be run by hand
    run_id = run_id_of(r.stdout)
    ran_before = (tmp_path / "ran.txt").read_text().count("ran") if (tmp_path / "ran.txt").exists() else 0

    assert golive("confirm", run_id, "L181", *answer, "--as", "Ana", cwd=tmp_path).returncode == 0
    r = golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path)

    ran_after = (tmp_path / "ran.txt").read_text().count("ran") if (tmp_path / "ran.txt").exists() else 0
    assert ran_after == ran_before, "the answered step ran again"
    l181 = step(last_run(isolated_home), "L181")
    assert (l181["status"], l181["actor"]) == (status, "Ana")
    assert reason in l181["reason"]
    assert "L183" in r.stdout  # the run went on to the next item


def test_a_judgement_given_later_is_the_judgement_and_nothing_runs_twice(tmp_path: Path, isolated_home: Path) -> None:
    """Seed 003 L333 `echo "Token: $TOKEN"` / `# Expected: JWT token`: a person judges; the pause says how."""
    checklist = tmp_path / "DEPLOY.md"
    shutil.copy(seed("003"), checklist)
    token = {**os.environ, "TOKEN": "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"}  # L330 set it in the session; not run here
    r = golive("run", str(checklist), "--from", "L333", "--non-interactive", "--yes", cwd=tmp_path, env=token)
    assert r.returncode == 3 and "judge the output" in r.stdout and "JWT token" in r.stdout, r.stdout
    run_id = run_id_of(r.stdout)
    suggested = next(line for line in r.stdout.splitlines() if "give it with:" in line)
    assert f"golive confirm {run_id} L333" in suggested

    # What the run waits for is a judgement: --done (in doubt) and --allow (consent) do not apply.
    for wrong in (["--done"], ["--allow"], ["--choose", "x"]):
        refused = golive("confirm", run_id, "L333", *wrong, cwd=tmp_path)
        assert refused.returncode == 2 and "waits for a person to judge its output" in refused.stderr, refused.stderr
    assert golive("confirm", run_id, "L333", "--as", "Quinn", cwd=tmp_path).returncode == 0
    r = golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path)

    assert "in doubt" not in r.stdout and "completed before golive was interrupted" not in r.stdout
    l333 = step(last_run(isolated_home), "L333")
    assert (l333["status"], l333["actor"], l333["attempts"]) == ("passed", "Quinn", 1)
    assert l333["reason"] == "JWT token: judged by a person"
    assert any("Token:" in o["text"] for o in l333["output"])  # the output judged is the one kept


CLEANUP = """
    # Clean the cache

    ## Deployment Steps

    ```bash
    mkdir -p old-cache && rm -rf old-cache && echo cleaned
    # Expected: the old cache directory is gone
    ```

    ## Rollback Plan

    - [ ] Nothing to undo
    """


def test_allow_is_consent_recorded_as_such_never_a_judgement(tmp_path: Path, isolated_home: Path) -> None:
    checklist = write(tmp_path, CLEANUP)
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 3 and "destructive" in r.stdout
    run_id = run_id_of(r.stdout)
    assert golive("confirm", run_id, "L6", "--allow", "--as", "Ana", cwd=tmp_path).returncode == 0

    r = golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 3 and "judge the output" in r.stdout, r.stdout  # the consent judged nothing
    assert golive("confirm", run_id, "L6", "--as", "Quinn", cwd=tmp_path).returncode == 0
    assert golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path).returncode == 0

    store = Store.open(isolated_home)
    l6 = step(last_run(isolated_home), "L6")
    assert (l6["status"], l6["actor"], l6["reason"]) == (
        "passed",
        "Quinn",
        "the old cache directory is gone: judged by a person",
    )
    started = [e for e in store.events(run_id) if e.type == "step_started" and e.item == "L6"]
    assert len(started) == 1  # consent, then one run, then a judgement
    md = golive("report", run_id, cwd=tmp_path).stdout
    assert "allowed by Ana" in md and "judged by a person" in md


REFUSALS = [  # (item, answer, why it is refused) for DEPLOY paused at L5
    ("DEPLOYED_BY", [], "it is a field: give its value with `golive set`"),
    ("L6", [], "it is ticked in the checklist itself"),
    ("L15", ["--allow"], "--allow does not apply"),
    ("L5", ["--done"], "--done does not apply"),
    ("L5", ["--choose", "a"], "--choose LABEL does not apply"),
    ("L39", ["--skip", "QA is on holiday"], "--skip REASON does not apply"),  # a sign-off is never skipped
    ("L5", ["--skip", "  "], "--skip needs a reason"),
    ("L5", ["--skip", "x", "--fail", "y"], "one answer at a time"),
    ("L999", [], "no such step"),
]


def test_an_answer_that_cannot_apply_is_refused_with_the_reason(tmp_path: Path, isolated_home: Path) -> None:
    r = golive("run", str(write(tmp_path, DEPLOY)), "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 3
    run_id = run_id_of(r.stdout)
    for item, answer, refusal in REFUSALS:
        refused = golive("confirm", run_id, item, *answer, cwd=tmp_path)
        assert refused.returncode == 2 and refusal in refused.stderr, (item, answer, refused.stderr)
        assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.stderr
    assert not [e for e in Store.open(isolated_home).events(run_id) if e.type == "answer"]  # nothing recorded


def test_a_skip_given_for_a_block_counts_even_under_yes(tmp_path: Path, isolated_home: Path) -> None:
    checklist = write(tmp_path, DEPLOY)
    r = golive("run", str(checklist), "--non-interactive", "--yes", "--var", "DEPLOYED_BY=ana", cwd=tmp_path)
    run_id = run_id_of(r.stdout)
    assert golive("confirm", run_id, "L5", cwd=tmp_path).returncode == 0
    assert golive("confirm", run_id, "L14", "--skip", "prepared by hand", cwd=tmp_path).returncode == 0
    golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path)
    assert not (tmp_path / "release").exists()
    s = statuses(last_run(isolated_home))
    assert s["L15"] == s["L16"] == s["L17"] == "skipped"
