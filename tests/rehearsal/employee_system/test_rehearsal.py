"""Seed 003 rehearsed end to end, unmodified, against its stand-in (see README.md).

`golive run` with the profile rehearsal.yaml, --non-interactive: no `set`, `confirm` or `resume` by
hand. The passing rehearsal deploys v1.0.0 over v0.9.5; the planted fault (two employees sharing an
e-mail address) makes migration 0002 fail at L259, and --rollback-on-failure runs the seed's own
rollback, which really restores the database from the pre-migration dump and v0.9.5.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import seed
from tests.rehearsal.employee_system.standin import (
    AFTER_MIGRATION,
    PHASE_1,
    PHASE_2_TO_MIGRATION,
    ROLLBACK,
    SITE_PACKAGES,
    World,
)
from tests.rehearsal.rehearsing import Rehearsal, markdown_is_complete, rehearse, resume

PROFILE = Path(__file__).with_name("rehearsal.yaml")
PLACEHOLDERS = ("[revision_id]", "user:password@prod-db", "[START TIME]", "[ISSUE]", "/var/www/", "/home/peter")
RUN_OPTIONS = ("--yes", "--follow-window", "2")  # commands accepted in advance; tail -f watched for 2 s

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(importlib.util.find_spec("golive.profile") is None, reason="needs environment profiles"),
]

# Commands of the systemd path that must pass by their exit status or expected output (L89 is the
# DBA's decision to skip; L259 passes only without the planted fault).
PASSED_BEFORE_MIGRATION = [n for n in PHASE_1 + PHASE_2_TO_MIGRATION if n not in (89, 259)]
NOT_CHOSEN = ["L160", "L163", "L297", "L300", "L305", "L307", "L379", "L382"]


def ids(lines: list[int]) -> set[str]:
    return {f"L{n}" for n in lines}


def answered(verb: str, rollback: bool = False) -> set[str]:
    """Items the profile answers with `verb` (by line, list or section), as the plan names them."""
    profile = yaml.safe_load(PROFILE.read_text())
    out: set[str] = set()
    for entry in profile["answers"]:
        if entry["answer"] != verb:
            continue
        named = [entry["item"]] if "item" in entry else entry.get("items", [])
        out.update(named)
    rollback_lines = {n for n in range(468, 609)}
    return {i for i in out if (int(i[1:]) in rollback_lines) == rollback}


def env_for(world: World) -> dict[str, str]:
    return {
        "REHEARSAL_DIR": str(world.directory),
        "REHEARSAL_DB": world.database,
        "APP_PORT": str(world.port),
        "SITE_PACKAGES": SITE_PACKAGES,
    }


def assert_honest_record(run: Rehearsal) -> None:
    for command in run.commands_run():
        assert not any(p in command for p in PLACEHOLDERS), f"ran with a placeholder: {command}"
    assert markdown_is_complete(run, seed("003")) == []
    for step in run.report["steps"]:
        if step["status"] in ("confirmed", "skipped") and step["kind"] != "field":
            assert step["actor"] and "(" in step["actor"], f"{step['id']} answered by {step['actor']!r}"
            assert step["prerecorded"], f"{step['id']} is not marked pre-recorded"
        if step["status"] == "skipped":
            assert step["reason"], f"{step['id']} skipped without a reason"
    for check, outcome in ((k, s) for s, keys in run.outcomes().items() for k in keys if k.endswith(".check")):
        never_reached = outcome == "pending" and run.report["run"]["status"] != "passed"  # after the failure
        assert outcome == "passed" or never_reached, f"{check}: {outcome}: {run.step(check)['reason']}"


def test_seed_003_deploys_1_0_0_on_the_stand_in(world: World) -> None:
    run = rehearse(seed("003"), PROFILE, world.directory, env_for(world), *RUN_OPTIONS)
    assert run.code == 0, run.why()
    outcomes = run.outcomes()

    assert ids([*PASSED_BEFORE_MIGRATION, 259, *AFTER_MIGRATION]) <= outcomes["passed"]
    assert outcomes["observed"] == {"L376"}  # tail -f, watched for its window
    assert set(NOT_CHOSEN) <= outcomes["not_run"]  # docker-compose / pm2: the alternatives not chosen
    assert answered("confirm") | {"L666", "L667", "L668", "L669"} <= outcomes["confirmed"]
    assert answered("skip") <= outcomes["skipped"]  # L89 among them: the DBA's decision, with her reason
    assert run.step("L89")["actor"] == "Dora Kim (DBA)"
    assert "failed" not in outcomes and "paused" not in outcomes
    phases = {s["phase"] for s in run.report["steps"]}
    rollback = [s for s in run.report["steps"] if s["phase"] == "rollback"]
    assert all(s["status"] in ("pending", "not_run") for s in rollback), phases  # never run: nothing failed
    assert_honest_record(run)

    # What the deployment did to the stand-in
    assert httpx.get(f"{world.url}/health").json() == {"status": "healthy", "version": "1.0.0"}
    assert world.sql("SELECT version_num FROM alembic_version") == [("0002_v100",)]
    assert world.sql("SELECT count(*) FROM employees WHERE id = 999") == [(0,)]  # L361 deleted it
    assert list(world.backups.glob("pre_migration_*.sql"))
    assert "sudo systemctl start employee-backend" in world.calls_log.read_text()


def test_failed_migration_is_caught_at_l259_and_rolled_back(faulty_world: World) -> None:
    world = faulty_world
    oid_before = world.database_oid()
    paused = rehearse(seed("003"), PROFILE, world.directory, env_for(world), *RUN_OPTIONS, "--rollback-on-failure")
    # The rollback's smoke test (L578) sends $TOKEN, which only L330 sets, and L330 never ran: golive asks
    # for it instead of sending `Bearer ` with nothing. The operator logs in to the restored API and gives it.
    assert paused.code == 3, paused.why()
    assert "L578 reads $TOKEN, which is not set" in paused.result.stdout, paused.why()
    login = httpx.post(f"{world.url}/api/auth/login", data={"username": "admin", "password": "admin123"}, timeout=10)
    token = login.json()["access_token"]
    run = resume(paused.report["run"]["id"], world.directory, env_for(world), "--yes", "--var", f"TOKEN={token}")
    assert run.code == 1, run.why()
    assert run.report["run"]["status"] == "rolled_back"
    assert run.step("L578")["status"] == "passed" and token not in run.result.stdout

    failed = run.step("L259")
    assert failed["status"] == "failed"
    assert 'could not create unique index "ux_employees_email"' in "".join(o["text"] for o in failed["output"])
    assert run.outcomes()["failed"] == {"L259"}
    assert ids(PASSED_BEFORE_MIGRATION) | ids(ROLLBACK) <= run.outcomes()["passed"]
    assert "L262" in run.outcomes().get("pending", set()) | run.outcomes().get("not_run", set())
    assert_honest_record(run)

    # The rollback's effect on the stand-in: database dropped and restored from the pre-migration dump,
    # v0.9.5 checked out, built and running again.
    assert world.database_oid() != oid_before
    assert world.sql("SELECT version_num FROM alembic_version") == [("0001_v095",)]
    assert world.sql("SELECT count(*) FROM employees WHERE email = 'alice.nguyen@company.com'") == [(2,)]
    assert world.sql("SELECT count(*) FROM employees WHERE id = 999") == [(1,)]
    assert httpx.get(f"{world.url}/health").json() == {"status": "healthy", "version": "0.9.5"}
    assert "v0.9.5" in (world.www / "frontend" / "build" / "index.html").read_text()
    calls = world.calls_log.read_text()
    assert calls.count("sudo systemctl stop employee-backend") == 2  # Phase 2 Step 2, rollback Step 2
    assert calls.count("sudo systemctl start employee-backend") == 1  # rollback Step 6 (Step 8 never ran)
