"""Seed 004 (RecruitSmart Admin) rehearsed end to end, unmodified, against its stand-in.

The passing rehearsal: every export, the data directory and its .env (through the stand-in sudo),
prod_smoke.sh with its production guards, the migrations on the test's own PostgreSQL database, the
seed's own uvicorn line (4 workers, on a free loopback port) and bot.py kept running as services,
/health with its components, the root endpoint, the app log watched, Redis and PostgreSQL probed.

The planted fault: the release leaves out migrations/0003_message_templates.sql. The migration step
"succeeds" (nothing tells it a file is missing); /health reports the database component down, the
run fails there, and the seed's rollback stops both services (pkill, scoped to this rehearsal),
checks out the previous stable tag and re-runs its idempotent migrations.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import seed
from tests.rehearsal.conftest import fresh_database, listening, redis_keys, rehearsal_pids, stop_pid
from tests.rehearsal.recruitsmart.standin import RecruitSmart, build
from tests.rehearsal.recruitsmart.telegram import FakeBotApi
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
PEOPLE = {"Marta Kovacs (DevOps)", "Jonas Berg (backend lead)", "Aiko Tanaka (QA)"}
WINDOWS = ("--follow-window", "3")  # L220 `tail -f` is watched for 3 s, not the default 10
SEED_PLACEHOLDERS = (
    "db.example.com",
    "redis.example.com",
    "user:password@",
    "1234567890:ABCdefGHIjklMNOpqrsTUVwxyz",
    "/var/lib/recruitsmart_admin",
    "localhost:8000",
)
PASSING = outcomes("""
    confirmed  L7 L8 L9 L10 L11 L222 L230
    passed     L21 L24 L27 L30 L36 L41 L49 L52 L53 L56 L57 L58 L61 L68 L69 L72 L73 L76 L77 L78 L79 L82
    passed     L92 L93 L97 L111 L118 L134 L154 L173 L184 L212 L298 L305 L312
    passed     L7.1 L8.1 L9.1 L222.1 L230.1
    observed   L220
    set        C41 C152
    not_run    L160
    skipped    L240 L241 L242 L243 L244 L248 L249 L253 L254 L255 L256 L260 L261 L262 L266 L267
""")


def rehearsal_of(rs: RecruitSmart, home: Path) -> Rehearsal:
    return Rehearsal(seed("004"), HERE / "rehearsal.yaml", rs.repo, home, rs.env())


def secrets_of(rs: RecruitSmart) -> list[str]:
    return [rs.bot_api.token, rs.admin_password]


def test_the_seed_runs_to_its_end_on_the_standin(recruitsmart: RecruitSmart, tmp_path: Path) -> None:
    rehearsal = rehearsal_of(recruitsmart, tmp_path / "golive-home")

    done = rehearsal.run("--yes", *WINDOWS)

    assert done.returncode == 0, done.stdout[-4000:] + done.stderr
    report = rehearsal.report()
    assert report["run"]["status"] == "passed"
    assert_outcomes(report, PASSING)
    assert_attributed(report, PEOPLE)
    assert_verified(report)
    assert_no_placeholder_ran(rehearsal.commands_run(), SEED_PLACEHOLDERS)
    md = rehearsal.markdown()
    assert_md_complete(md, report)
    for secret in secrets_of(recruitsmart):
        assert secret not in md and secret not in str(report), "a secret reached the report"
    # the deployed services, left running as the seed leaves them
    assert {s["state"] for s in report["services"].values()} == {"left running"}
    health = recruitsmart.health()
    assert health.status_code == 200 and health.json()["status"] == "healthy"
    assert recruitsmart.query("SELECT count(*) FROM message_templates") == [(2,)]
    env_file = recruitsmart.data_dir / ".env"
    assert f"BOT_TOKEN={recruitsmart.bot_api.token}" in env_file.read_text(), "the heredoc got the real values"
    assert [c["argv"][0] for c in recruitsmart.calls.of("sudo")] == ["mkdir", "chown"]
    print(f"seed 004 passing rehearsal: {rehearsal.wall_s:.1f} s, {report['counts']}")


@dataclass
class FaultRun:
    rs: RecruitSmart
    rehearsal: Rehearsal
    done: subprocess.CompletedProcess[str]
    report: dict[str, Any]


@pytest.fixture(scope="module")
def fault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultRun]:
    root = tmp_path_factory.mktemp("fault")
    with fresh_database() as database, redis_keys() as prefix, FakeBotApi() as bot_api:
        rs = build(root, database, prefix, bot_api, fault="missing_migration")
        try:
            rehearsal = rehearsal_of(rs, root / "golive-home")
            done = rehearsal.run("--yes", "--rollback-on-failure", *WINDOWS)
            yield FaultRun(rs, rehearsal, done, rehearsal.report())
        finally:
            for pid in rehearsal_pids(rs.rehearsal_id):
                stop_pid(pid)


def test_the_missing_migration_is_caught_by_the_health_check(fault: FaultRun) -> None:
    steps = steps_by_id(fault.report)
    assert steps["L134"]["status"] == "passed", "the migration step cannot see a file that is not there"
    assert steps["L154"]["status"] == "passed" and steps["L173"]["status"] == "passed"
    health = steps["L184"]
    assert health["status"] == "failed"
    assert "$.status is 'unhealthy', expected 'healthy'" in health["reason"]
    output = "".join(o["text"] for o in health["output"])
    assert '"database":{"status":"down","error":"ProgrammingError: (psycopg.errors.UndefinedTable)' in output
    assert 'relation \\"message_templates\\" does not exist' in output
    assert all(steps[i]["status"] == "pending" for i in ("L212", "L220", "L298", "L305", "L312"))
    assert fault.report["rollback"]["reason"].startswith("L184")


def test_the_rollback_stops_the_services_and_returns_to_the_previous_release(fault: FaultRun) -> None:
    rs, steps = fault.rs, steps_by_id(fault.report)
    assert fault.done.returncode == 1, fault.done.stdout[-4000:]
    assert (fault.report["run"]["status"], fault.report["rollback"]["status"]) == ("rolled_back", "passed")
    for item in ("L446", "L449", "L454", "L455", "L462"):
        assert steps[item]["status"] == "passed", (item, steps[item]["reason"])
    # pkill reached the admin UI and the bot (this rehearsal's only), and they are gone
    uvicorn_call, bot_call = rs.calls.of("pkill")
    assert uvicorn_call["argv"] == ["-f", "uvicorn.*admin_api"] and uvicorn_call["signalled"]
    assert bot_call["argv"] == ["-f", "python.*bot.py"] and bot_call["signalled"]
    assert not rs.processes("admin_api") and not rs.processes("bot.py")
    assert not listening(rs.port)
    # the previous release, its migrations applied again (idempotent: nothing new, nothing lost)
    assert rs.head() == rs.previous_commit
    assert [r[0] for r in rs.query("SELECT version FROM schema_migrations ORDER BY 1")] == [
        "0001_initial",
        "0002_questions",
    ]
    assert rs.query("SELECT count(*) FROM questions") == [(3,)]
    assert (steps["L458"]["status"], steps["L458"]["actor"]) == ("skipped", "Marta Kovacs (DevOps)")
    assert_attributed(fault.report, PEOPLE)
    assert_no_placeholder_ran(fault.rehearsal.commands_run(), SEED_PLACEHOLDERS)
