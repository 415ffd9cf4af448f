"""The store's database connections and migrations: SQLite (WAL, writes that queue) or PostgreSQL.

Errors never carry SQL parameters (`hide_parameters`): a crash log must not receive a checklist or an
output through a database error message.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from golive.record import schema

_PG_MIGRATION_LOCK = 7355608


def engine(url: str, immediate: bool) -> Engine:
    """An engine for `url`. SQLite: WAL, and with `immediate` every transaction takes the write lock up
    front (BEGIN IMMEDIATE), so concurrent writers queue instead of failing mid-transaction."""
    if not url.startswith("sqlite"):
        return create_engine(
            url.replace("postgresql://", "postgresql+psycopg://", 1), pool_pre_ping=True, hide_parameters=True
        )
    made = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)

    @event.listens_for(made, "connect")
    def _connect(dbapi: Any, _record: Any) -> None:
        dbapi.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")  # durable against a process crash (kill -9)
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(made, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return made


def version(read: Engine) -> str | None:
    try:
        with read.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (OperationalError, ProgrammingError):
        return None


def migrate_if_needed(read: Engine, home: Path) -> None:
    """Upgrade to schema.HEAD; a store already there never imports Alembic, nor does a new one: an empty
    database gets the head schema in one step (tests/record/test_database.py proves it the same)."""
    if version(read) == schema.HEAD:
        return
    with _migration_lock(read, home):
        if version(read) == schema.HEAD:
            return
        if _is_empty(read):
            _create_at_head(read)
            return
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        with read.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")


def _is_empty(read: Engine) -> bool:
    return not inspect(read).get_table_names()


def _create_at_head(read: Engine) -> None:
    """The schema as the migrations leave it, stamped at HEAD, in one transaction (Alembic takes ~0.4 s
    to import and replay every migration, paid by every new store: each test, each first run)."""
    with read.begin() as conn:
        schema.metadata.create_all(conn)
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:head)"), {"head": schema.HEAD})


@contextmanager
def _migration_lock(read: Engine, home: Path) -> Iterator[None]:
    """One process migrates at a time: a file lock for SQLite, an advisory lock for PostgreSQL."""
    if read.dialect.name == "sqlite":
        with open(home / ".migrate.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
    else:
        with read.connect() as conn:
            conn.execute(text(f"SELECT pg_advisory_lock({_PG_MIGRATION_LOCK})"))
            try:
                yield
            finally:
                conn.execute(text(f"SELECT pg_advisory_unlock({_PG_MIGRATION_LOCK})"))
                conn.commit()
