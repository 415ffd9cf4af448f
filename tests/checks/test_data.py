"""`sql` (PostgreSQL, MariaDB, SQLite; Alembic revisions) and `redis`, against the real servers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import redis

from tests.checks.conftest import REDIS_URL, errors_of, run_check


def test_postgresql_query_value_and_tables(pg_url: str) -> None:
    result = run_check(
        'sql: "{{ DATABASE_URL }}"\nquery: SELECT COUNT(*) FROM employees\nexpect: {value: ">0"}', DATABASE_URL=pg_url
    )
    assert result.passed, result.reason
    assert result.reason == "value 3 (> 0)"
    assert run_check(f"sql: {pg_url}\ntables: [employees]").passed


def test_postgresql_failures_show_what_was_found(pg_url: str) -> None:
    rows = run_check(f"sql: {pg_url}\nquery: SELECT name FROM employees\nexpect: {{rows: 5}}")
    assert not rows.passed and rows.reason == "rows 3, want 5"
    missing = run_check(f"sql: {pg_url}\ntables: [employees, payroll, audit_log]")
    assert not missing.passed and missing.reason == "tables missing: payroll, audit_log"
    broken = run_check(f"sql: {pg_url}\nquery: SELECT * FROM nowhere")
    assert not broken.passed and 'relation "nowhere" does not exist' in broken.reason


def test_a_check_never_changes_the_database(pg_url: str) -> None:
    assert run_check(f"sql: {pg_url}\nquery: DELETE FROM employees RETURNING id\nexpect: {{rows: 3}}").passed
    assert run_check(f"sql: {pg_url}\nquery: SELECT COUNT(*) FROM employees\nexpect: {{value: 3}}").passed


def test_a_password_in_the_url_is_never_shown(pg_url: str) -> None:
    url = pg_url.replace("postgres@", "postgres:hunter2-pw@").replace("5432", "1")
    result = run_check(f"sql: {url}")
    assert not result.passed
    assert "hunter2-pw" not in result.reason and "hunter2-pw" not in str(result.measured)


def test_mariadb_and_mysql_urls(mariadb_url: str) -> None:
    ok = run_check(
        f"sql: {mariadb_url.replace('mysql://', 'mariadb://')}\nquery: SELECT title FROM jobs ORDER BY id"
        "\nexpect: {value: engineer, rows: 2}"
    )
    assert ok.passed, ok.reason
    wrong = run_check(f'sql: {mariadb_url}\nquery: SELECT COUNT(*) FROM jobs\nexpect: {{value: ">=10"}}')
    assert not wrong.passed and wrong.reason == "value 2, want ≥ 10"


def test_sqlite_is_relative_to_the_session_and_opened_read_only(tmp_path: Path) -> None:
    (tmp_path / "instance").mkdir()
    db = tmp_path / "instance" / "jobsearchai.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE job_matches (id INTEGER)")
        conn.execute("CREATE TABLE cv_versions (id INTEGER)")
    ok = run_check("sql: sqlite:///instance/jobsearchai.db\ntables: [job_matches, cv_versions]", cwd=tmp_path)
    assert ok.passed, ok.reason
    missing = run_check("sql: sqlite:///instance/jobsearchai.db\ntables: [scrape_history]", cwd=tmp_path)
    assert not missing.passed and missing.reason == "tables missing: scrape_history"
    absent = run_check("sql: sqlite:///instance/other.db\ntables: [x]", cwd=tmp_path)
    assert not absent.passed and "no SQLite database at" in absent.reason
    assert not (tmp_path / "instance" / "other.db").exists()  # never created by looking
    write = run_check("sql: sqlite:///instance/jobsearchai.db\nquery: INSERT INTO job_matches VALUES (1)", cwd=tmp_path)
    assert not write.passed and "readonly" in write.reason


def test_migration_head_against_an_alembic_script_directory(tmp_path: Path) -> None:
    scripts = tmp_path / "migrations"
    (scripts / "versions").mkdir(parents=True)
    (scripts / "script.py.mako").write_text("")
    for rev, down in (("a1b2c3", None), ("d4e5f6", "a1b2c3")):
        (scripts / "versions" / f"{rev}_step.py").write_text(
            f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n"
            "def upgrade():\n    pass\ndef downgrade():\n    pass\n"
        )
    db = tmp_path / "app.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES ('a1b2c3')")
    behind = run_check("sql: sqlite:///app.db\nmigration: head\nscripts: migrations", cwd=tmp_path)
    assert not behind.passed and behind.reason == "revision a1b2c3, want head d4e5f6"
    assert run_check("sql: sqlite:///app.db\nmigration: a1b2\nscripts: migrations", cwd=tmp_path).passed
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'd4e5f6'")
    assert run_check("sql: sqlite:///app.db\nmigration: head\nscripts: migrations", cwd=tmp_path).passed


def test_malformed_sql_checks() -> None:
    assert errors_of("sql: oracle://db\nexpect: {value: 1}") == [
        "10: sql: a database URL: postgresql://…, mysql://…, mariadb://… or sqlite:///PATH (sql check)",
    ]
    assert errors_of("sql: sqlite:///x.db\nmigration: head") == [
        "10: sql: `migration: head` needs `scripts:` (the Alembic script directory) (sql check)"
    ]


def test_redis_ping_get_exists_ttl_and_info(redis_prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    client.set(f"{redis_prefix}flags", "enabled")
    client.set(f"{redis_prefix}lock", "1", ex=300)
    assert run_check(f"redis: {REDIS_URL}").reason == "PING → PONG"
    ok = run_check(
        f"redis: {REDIS_URL}\nget: {redis_prefix}flags\nexists: [{redis_prefix}lock]\nttl: {redis_prefix}lock\n"
        'expect: {value: enabled, ttl: ">60"}\ninfo: {redis_version: ">=5", role: master}'
    )
    assert ok.passed, ok.reason
    wrong = run_check(f"redis: {REDIS_URL}\nget: {redis_prefix}flags\nexpect: {{value: disabled}}")
    assert not wrong.passed and "'enabled', expected 'disabled'" in wrong.reason
    gone = run_check(f"redis: {REDIS_URL}\nexists: [{redis_prefix}nothing]")
    assert not gone.passed and gone.reason.endswith(f"missing keys: {redis_prefix}nothing")
    too_new = run_check(f'redis: {REDIS_URL}\ninfo: {{redis_version: ">=99"}}')
    assert not too_new.passed and "want ≥ 99" in too_new.reason


def test_redis_down_fails() -> None:
    result = run_check("redis: redis://127.0.0.1:1/0\ntimeout: 2s")
    assert not result.passed and "127.0.0.1:1" in result.reason


def test_malformed_redis_checks() -> None:
    assert errors_of("redis: localhost:6379\nexpect: {ttl: soon}") == [
        "10: redis: a redis://HOST:PORT/DB URL (redis check)",
        '11: expect.ttl: \'soon\' is not a number or a comparison such as "<200", ">=32", "<10MB", "<1h" (redis check)',
    ]
