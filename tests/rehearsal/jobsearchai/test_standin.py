"""The JobSearchAI stand-in, driven by hand the way seed 001's commands drive it (bash, sqlite3, curl).

These tests need no golive: they show the stand-in behaves like the system the seed deploys, so
that a rehearsal's verdicts are about golive and the checklist, not about a broken stand-in.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.rehearsal.conftest import bash, listening, wait_until
from tests.rehearsal.jobsearchai.standin import JobSearchAI, build

ANSWERS = "Data Analyst\n\nPython Developer\n\nData Analyst\n\n"  # search term, then Enter for the default CV


@pytest.fixture
def jsa(tmp_path: Path) -> Iterator[JobSearchAI]:
    standin = build(tmp_path)
    standin.start()
    try:
        yield standin
    finally:
        standin.stop()


def run(jsa: JobSearchAI, script: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return bash(script, jsa.repo, jsa.app_env(), stdin=stdin)


def deploy(jsa: JobSearchAI) -> None:
    """Steps 2–6 of the seed, as its operator types them."""
    done = run(
        jsa,
        "set -e; sudo systemctl stop jobsearchai; git checkout -q main; git pull -q origin main;"
        " source venv/bin/activate; pip install -q -r requirements.txt; python init_db.py",
    )
    assert done.returncode == 0, done.stderr
    migrate = run(jsa, "source venv/bin/activate; python scripts/migrate_json_to_sqlite.py", stdin=ANSWERS)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr


def test_before_the_release_production_runs_v1_on_json(jsa: JobSearchAI) -> None:
    health = jsa.health()
    assert (health["version"], health["source"]) == ("1.4.0", "json")
    assert jsa.tables() == {"users", "sqlite_sequence"}
    assert jsa.head() == jsa.stable_commit
    status = run(jsa, "git status --porcelain")
    assert status.stdout == "", "data, venv and database are ignored: the checkout is clean"


def test_backup_list_and_restore_by_content(jsa: JobSearchAI) -> None:
    made = run(jsa, "python scripts/backup_database.py && python scripts/backup_database.py --list")
    assert made.returncode == 0, made.stderr
    [backup] = jsa.backups()
    assert f"✓ Backup created: backups/{backup.name}" in made.stdout
    assert f"backups/{backup.name}" in made.stdout.split("(newest first):")[1]
    original = jsa.dump()
    deploy(jsa)
    assert {"job_matches", "cv_versions", "scrape_history"} <= jsa.tables()
    restored = run(jsa, f"python scripts/backup_database.py --restore backups/{backup.name}")
    assert restored.returncode == 0, restored.stderr
    assert jsa.database.read_bytes() == backup.read_bytes()
    assert jsa.dump() == original
    assert "job_matches" not in jsa.tables()


def test_systemctl_stops_and_starts_the_dashboard_for_real(jsa: JobSearchAI) -> None:
    stopped = run(jsa, "sudo systemctl stop jobsearchai; sudo systemctl status jobsearchai")
    assert stopped.returncode == 3, "systemctl status exits 3 for an inactive unit"
    assert "Active: inactive (dead)" in stopped.stdout
    assert not listening(jsa.port)
    started = run(jsa, "sudo systemctl start jobsearchai && sudo systemctl status jobsearchai")
    assert started.returncode == 0, started.stderr
    assert "Active: active (running)" in started.stdout
    wait_until("the dashboard", lambda: listening(jsa.port))
    calls = [(c["cmd"], c["argv"][0]) for c in jsa.calls.all()]
    assert ("sudo", "systemctl") in calls and ("systemctl", "stop") in calls and ("systemctl", "start") in calls


def test_pull_brings_the_release_and_the_seed_commands_pass(jsa: JobSearchAI) -> None:
    deploy(jsa)
    assert jsa.head() == jsa.release_commit
    checks = run(
        jsa,
        "set -e; source venv/bin/activate; python verify_schema.py; python scripts/validate_migration.py;"
        " python scripts/validate_migration.py --report;"
        " python scripts/benchmark_performance.py --output benchmarks/prod_initial_$(date +%Y%m%d).json;"
        """ python -c "from utils.db_utils import JobMatchDatabase; print('✓ Import successful')";"""
        " sqlite3 instance/jobsearchai.db 'SELECT count(*) FROM job_matches'",
    )
    assert checks.returncode == 0, checks.stdout + checks.stderr
    assert "✓ Schema verified" in checks.stdout
    assert "✓ Validation passed" in checks.stdout
    assert "✓ All query tests < 100 ms (P95)" in checks.stdout
    assert checks.stdout.strip().endswith("12"), "15 JSON matches, 3 of them a re-run of the same search"
    assert list((jsa.repo / "benchmarks").glob("prod_initial_*.json"))
    smoke = run(jsa, "sudo systemctl start jobsearchai; source venv/bin/activate; pytest tests/test_smoke.py -v")
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert "4 passed" in smoke.stdout
    assert jsa.health()["version"] == "2.0.0"


def test_the_migration_asks_a_person_and_fails_without_one(jsa: JobSearchAI) -> None:
    run(jsa, "git pull -q origin main; source venv/bin/activate; python init_db.py")
    dry = run(jsa, "source venv/bin/activate; python scripts/migrate_json_to_sqlite.py --dry-run")
    assert "Dry run: 3 files, 15 job matches; nothing written" in dry.stdout
    alone = run(jsa, "source venv/bin/activate; python scripts/migrate_json_to_sqlite.py < /dev/null")
    assert alone.returncode == 2
    assert "needs a person at the terminal" in alone.stdout
    answered = run(jsa, "source venv/bin/activate; python scripts/migrate_json_to_sqlite.py", stdin=ANSWERS)
    assert "Total migrated:     12" in answered.stdout
    assert "Duplicates skipped: 3" in answered.stdout


def test_pip_show_sqlite3_fails_as_it_does_everywhere(jsa: JobSearchAI) -> None:
    """Seed 001 L139: sqlite3 ships with Python; pip knows no such package. Not papered over here."""
    shown = run(jsa, "source venv/bin/activate; pip show sqlite3")
    assert shown.returncode == 1
    assert "Package(s) not found: sqlite3" in shown.stderr


def test_planted_missing_table_is_caught_by_verify_schema(tmp_path: Path) -> None:
    jsa = build(tmp_path, fault="missing_table")
    done = run(jsa, "git pull -q origin main; source venv/bin/activate; python init_db.py && python verify_schema.py")
    assert done.returncode == 1
    assert "✗ Missing table: scrape_history" in done.stdout
