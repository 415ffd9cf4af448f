"""The RecruitSmart stand-in, driven by hand the way seed 004's commands drive it (bash, curl, psql, redis-cli).

These tests need no golive: they show the stand-in behaves like the system the seed deploys, so
that a rehearsal's verdicts are about golive and the checklist, not about a broken stand-in.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.rehearsal.conftest import PgDatabase, bash, listening, rehearsal_pids, stop_pid, wait_until
from tests.rehearsal.recruitsmart.standin import RecruitSmart, build
from tests.rehearsal.recruitsmart.telegram import FakeBotApi

UVICORN = "uvicorn backend.apps.admin_api.main:app --host 127.0.0.1 --port {port}"  # the rehearsal runs --workers 4


def run(rs: RecruitSmart, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    return bash(script, rs.repo, {**rs.app_env(), **env})


def prepare(rs: RecruitSmart) -> None:
    done = run(rs, 'sudo mkdir -p "$DATA_DIR" && sudo chown $USER:$USER "$DATA_DIR"', USER="root")
    assert done.returncode == 0, done.stderr


def start_services(rs: RecruitSmart) -> None:
    started = run(
        rs, f"nohup {UVICORN.format(port=rs.port)} > uvicorn.out 2>&1 & nohup python3 bot.py > bot.out 2>&1 &"
    )
    assert started.returncode == 0, started.stderr
    wait_until("the admin UI", lambda: listening(rs.port))
    wait_until("the bot's boot line", lambda: "BOOT: using bot" in read(rs.data_dir / "logs" / "bot.log"))


def read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def test_smoke_passes_on_a_production_configuration(recruitsmart: RecruitSmart) -> None:
    prepare(recruitsmart)
    smoke = run(recruitsmart, "./scripts/prod_smoke.sh")
    assert smoke.returncode == 0, smoke.stdout
    assert "✓ ALL CHECKS PASSED - Ready for production deployment" in smoke.stdout


GUARDS = [  # a setting the seed's Common Production Issues name, a bad value, the smoke's message
    ("DATA_DIR", "{repo}/data", "DATA_DIR is inside repository: {repo}/data"),
    ("SESSION_SECRET", "short", "SESSION_SECRET must be at least 32 characters (got 5)"),
    ("NOTIFICATION_BROKER", "memory", "NOTIFICATION_BROKER must be redis in production (got 'memory')"),
    ("DATABASE_URL", "sqlite:///data/app.db", "SQLite database is forbidden in production"),
    ("REDIS_URL", "", "REDIS_URL must be set in production"),
]


def test_each_production_guard_fails_the_smoke_with_its_message(recruitsmart: RecruitSmart) -> None:
    prepare(recruitsmart)
    repo = str(recruitsmart.repo)
    for setting, value, message in GUARDS:
        smoke = run(recruitsmart, "./scripts/prod_smoke.sh", **{setting: value.format(repo=repo)})
        assert smoke.returncode == 1, setting
        assert message.format(repo=repo) in smoke.stdout, setting
        assert "CHECK(S) FAILED" in smoke.stdout


def test_migrations_print_what_the_seed_expects_and_are_idempotent(recruitsmart: RecruitSmart) -> None:
    first = run(recruitsmart, "python3 scripts/run_migrations.py")
    assert first.returncode == 0, first.stdout
    assert f"Database URL: 127.0.0.1:5432/{recruitsmart.database.name}" in first.stdout
    assert "applied 0003_message_templates" in first.stdout
    again = run(recruitsmart, "python3 scripts/run_migrations.py")
    assert "✓ Migrations completed successfully" in again.stdout and "applied" not in again.stdout


def test_services_health_logs_and_the_scoped_pkill(recruitsmart: RecruitSmart) -> None:
    prepare(recruitsmart)
    run(recruitsmart, "python3 scripts/run_migrations.py")
    start_services(recruitsmart)
    health = recruitsmart.health()
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "healthy"
    assert {k: v["status"] for k, v in body["components"].items()} == {
        "application": "up",
        "database": "up",
        "redis": "up",
    }
    probes = run(
        recruitsmart,
        f'curl -s http://127.0.0.1:{recruitsmart.port}/; echo; redis-cli -u "$REDIS_URL" ping;'
        ' psql "$DATABASE_URL" -c "SELECT 1;"',
    )
    assert '{"ok":true,"admin":"/admin","webapp_api":"/api/webapp","health":"/health"}' in probes.stdout
    assert "PONG" in probes.stdout and "(1 row)" in probes.stdout
    app_log = read(recruitsmart.data_dir / "logs" / "app.log")
    assert "✓ Phase 2 Cache initialized: 127.0.0.1:6379" in app_log
    assert "✓ Notification service started" in app_log
    assert recruitsmart.bot_api.token not in read(recruitsmart.data_dir / "logs" / "bot.log")
    stopped = run(recruitsmart, 'pkill -f "uvicorn.*admin_api"; pkill -f "python.*bot.py"')
    assert stopped.returncode == 0, stopped.stderr
    wait_until(
        "uvicorn and the bot to stop",
        lambda: not recruitsmart.processes("admin_api") + recruitsmart.processes("bot.py"),
    )
    assert not listening(recruitsmart.port)
    [uvicorn_call, bot_call] = recruitsmart.calls.of("pkill")
    assert uvicorn_call["signalled"] and bot_call["signalled"]
    nothing = run(recruitsmart, 'pkill -f "python.*bot.py"')
    assert nothing.returncode == 1, "pkill exits 1 when nothing matched, as procps pkill does"


def test_planted_missing_migration_leaves_the_database_component_down(
    tmp_path: Path, pg_database: PgDatabase, redis_prefix: str, bot_api: FakeBotApi
) -> None:
    rs = build(tmp_path, pg_database, redis_prefix, bot_api, fault="missing_migration")
    try:
        prepare(rs)
        migrated = run(rs, "python3 scripts/run_migrations.py")
        assert "✓ Migrations completed successfully" in migrated.stdout, "nothing tells the migration was left out"
        start_services(rs)
        health = rs.health()
        assert health.status_code == 503
        database = health.json()["components"]["database"]
        assert database["status"] == "down"
        assert 'relation "message_templates" does not exist' in database["error"]
        back = run(rs, "git checkout -q v1.8.0 && python3 scripts/run_migrations.py")
        assert back.returncode == 0, back.stdout
        assert rs.head() == rs.previous_commit
    finally:
        for pid in rehearsal_pids(rs.rehearsal_id):
            stop_pid(pid)
