"""Seed 001 (JobSearchAI: SQLite deduplication) rehearsed end to end, unmodified, against its stand-in.

The passing rehearsal: every command of the seed runs for real on the stand-in — the backup of the
live SQLite database, the dashboard stopped and restarted through the stand-in systemctl, `git pull`
from the bare origin, the venv, the schema, the interactive migration of the JSON job matches, its
validation, the benchmarks, the smoke tests against the running dashboard — and the verifications
the seed writes as prose are checked on the stand-in (tables, indexes, record count, the port, the
dashboard's pages). What people answer comes from rehearsal.yaml, each answer attributed.

The planted fault: the release's init_db.py leaves out scrape_history (a bad merge). Step 5's
verify_schema.py catches it; the seed's rollback stops the service, restores the backup (the
backup's name is only known then: Dana reads it from `--list` and gives it), checks out the previous
stable commit and starts the dashboard again.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import seed
from tests.rehearsal.jobsearchai.standin import JobSearchAI, build
from tests.rehearsal.rehearsal import (
    Rehearsal,
    assert_attributed,
    assert_md_complete,
    assert_no_placeholder_ran,
    assert_outcomes,
    assert_verified,
    outcomes,
    steps_by_id,
)

HERE = Path(__file__).resolve().parent
DANA = "Dana Whitfield (DBA)"
PEOPLE = {DANA, "Ravi Menon (tech lead)", "Lena Park (QA)", "Omar Haddad (on-call SRE)"}
DANAS_ANSWERS = [  # what L181 asks for each of the three JSON files, and what Dana types
    pair for term in JobSearchAI.SEARCH_TERMS for pair in (("Enter search term used: ", term), ("CV path [", ""))
]
SEED_PLACEHOLDERS = ("/path/to/JobSearchAI", "<PID>", "YYYYMMDD_HHMMSS", "<previous-stable-commit>")
PASSING = outcomes("""
    skipped    L17 L18 L19 L20 L21 L22 L26 L27 L28 L29 L30 L34 L35 L36 L37 L38 L39 L50 L51 L52 L53
    confirmed  L43 L44 L45 L46
    passed     L65 L68 L71
    confirmed  L73 L78 L79 L80
    passed     L78.1 L80.1
    set        C88
    passed     L88
    not_run    L91 L95 L96
    confirmed  L100 L101
    passed     L100.1 L101.1
    passed     L109 L112 L115
    confirmed  L121 L122 L123
    passed     L122.1
    set        C131
    passed     L131
    not_run    L133
    passed     L136
    skipped    L139
    passed     L140
    confirmed  L144 L145 L146
    passed     L154 L157
    confirmed  L161 L162 L163 L164 L165 L166
    passed     L162.1 L166.1
    passed     L176 L181
    confirmed  L183 L189 L190 L191 L192 L193
    passed     L201 L204 L207
    confirmed  L211 L212 L213 L214 L215
    passed     L223 L226
    confirmed  L230 L231 L232
    passed     L231.1
    set        C240
    passed     L240 L241
    not_run    L244 L245 L248
    confirmed  L252 L253 L254
    passed     L254.1
    passed     L262
    confirmed  L270 L271
    passed     L270.1 L271.1
    skipped    L274 L275 L276 L279 L280 L281 L284 L285 L286
    skipped    L464 L465 L466 L467 L468 L469
    skipped    L526 L527 L528 L529 L534 L535 L536 L540 L541 L542 L543 L548 L549 L550
    confirmed  L507 L508 L509 L510 L514 L515
    skipped    L511 L512 L516 L517 L518
""")


@pytest.fixture
def jsa(tmp_path: Path) -> Iterator[JobSearchAI]:
    standin = build(tmp_path / "standin")
    standin.start()
    try:
        yield standin
    finally:
        standin.stop()


def rehearsal_of(jsa: JobSearchAI, home: Path) -> Rehearsal:
    return Rehearsal(seed("001"), HERE / "rehearsal.yaml", jsa.root, home, jsa.env())


def test_the_seed_runs_to_its_end_on_the_standin(jsa: JobSearchAI, tmp_path: Path) -> None:
    """At a terminal: L181's migration asks Dana, per JSON file, the search term and the CV path, and she
    types them (a profile does not carry what a command reads from the terminal). Everything else is the profile's."""
    before = jsa.dump()
    rehearsal = rehearsal_of(jsa, tmp_path / "golive-home")

    status = rehearsal.run_at_terminal(DANAS_ANSWERS, "--yes")

    assert status == 0, rehearsal.transcript.getvalue()[-4000:]
    report = rehearsal.report()
    assert report["run"]["status"] == "passed"
    assert_outcomes(report, PASSING)
    assert_attributed(report, PEOPLE)
    assert_verified(report)
    steps = steps_by_id(report)
    assert "sqlite3 is not a pip package" in steps["L139"]["reason"], "a person's decision, with why"
    assert_no_placeholder_ran(rehearsal.commands_run(), SEED_PLACEHOLDERS)
    assert_md_complete(rehearsal.markdown(), report)
    # what the run did on the stand-in
    assert jsa.head() == jsa.release_commit
    [backup] = jsa.backups()
    assert jsa.dump(backup) == before, "the backup holds the database as it was before the release"
    assert {"job_matches", "cv_versions", "scrape_history"} <= jsa.tables()
    assert jsa.running() and jsa.health() == {"status": "ok", "version": "2.0.0", "source": "sqlite", "matches": 12}
    assert [c["runs"] for c in jsa.calls.of("sudo")] == [  # the run's own, through the stand-in sudo
        ["systemctl", "stop", "jobsearchai"],
        ["systemctl", "start", "jobsearchai"],
        ["systemctl", "status", "jobsearchai"],
    ]
    assert list((jsa.repo / "benchmarks").glob("prod_initial_*.json"))
    print(f"seed 001 passing rehearsal: {rehearsal.wall_s:.1f} s, {report['counts']}")


@dataclass
class FaultRun:
    jsa: JobSearchAI
    rehearsal: Rehearsal
    before: list[str]  # the database's content before the run
    paused: subprocess.CompletedProcess[str]
    at_pause: dict[str, Any]
    resumed: subprocess.CompletedProcess[str]
    final: dict[str, Any]


@pytest.fixture(scope="module")
def fault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultRun]:
    root = tmp_path_factory.mktemp("fault")
    jsa = build(root / "standin", fault="missing_table")
    jsa.start()
    try:
        before = jsa.dump()
        rehearsal = rehearsal_of(jsa, root / "golive-home")
        paused = rehearsal.run("--yes", "--rollback-on-failure")
        at_pause = rehearsal.report()
        # The backup's name is only known now: Dana reads it from L378's `--list` and gives it.
        run_id = at_pause["run"]["id"]
        listing = "".join(o["text"] for o in steps_by_id(at_pause)["L378"]["output"])
        stamp = listing.split("backups/jobsearchai_backup_", 1)[1].split(".db", 1)[0]
        given = rehearsal.golive("set", run_id, f"YYYYMMDD_HHMMSS={stamp}")
        assert given.returncode == 0, given.stderr
        resumed = rehearsal.golive("resume", run_id)
        yield FaultRun(jsa, rehearsal, before, paused, at_pause, resumed, rehearsal.report())
    finally:
        jsa.stop()


def test_the_missing_table_is_caught_at_step_5(fault: FaultRun) -> None:
    steps = steps_by_id(fault.at_pause)
    assert steps["L154"]["status"] == "passed", "init_db.py creates what it knows of"
    verify = steps["L157"]
    assert (verify["status"], verify["exit_code"]) == ("failed", 1)
    output = "".join(o["text"] for o in verify["output"])
    assert "✗ Missing table: scrape_history" in output
    assert "✗ Missing index: idx_scrape_history_term" in output
    assert all(steps[i]["status"] == "pending" for i in ("L176", "L181", "L201", "L240", "L262"))
    assert fault.at_pause["rollback"]["reason"].startswith("L157")
    assert fault.paused.returncode == 3, "the rollback waits for the backup's name"
    assert "YYYYMMDD_HHMMSS" in str(fault.at_pause["paused"])


def test_the_rollback_restores_the_backup_the_code_and_the_service(fault: FaultRun) -> None:
    jsa, steps = fault.jsa, steps_by_id(fault.final)
    assert fault.resumed.returncode == 1, fault.resumed.stdout[-4000:]
    assert (fault.final["run"]["status"], fault.final["rollback"]["status"]) == ("rolled_back", "passed")
    for item in ("L369", "L378", "L381", "L391", "L394", "L404", "L410", "L411", "L419.1"):
        assert steps[item]["status"] == "passed", (item, steps[item]["reason"])
    assert steps["L371"]["status"] == steps["L384"]["status"] == steps["L397"]["status"] == "not_run"
    # the database restored from the backup, verified by content
    [backup] = jsa.backups()
    assert jsa.database.read_bytes() == backup.read_bytes()
    assert jsa.dump() == fault.before
    assert "job_matches" not in jsa.tables()
    # the previous code, and the dashboard running it again
    assert jsa.head() == jsa.stable_commit
    assert jsa.running() and jsa.health()["version"] == "1.4.0"
    assert [c["runs"][1] for c in jsa.calls.of("sudo")] == ["stop", "stop", "start", "status"]
    assert_attributed(fault.final, PEOPLE)
    assert_no_placeholder_ran(fault.rehearsal.commands_run(), SEED_PLACEHOLDERS)
