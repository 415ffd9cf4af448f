"""Fixtures for the store tests: the same tests run against SQLite and PostgreSQL.

Each test gets a fresh database: a new SQLite file under its tmp_path, or a uniquely named
PostgreSQL database created on 127.0.0.1:5432 and dropped afterwards, so every test runs the
migration from scratch. Without a reachable PostgreSQL the postgres tests skip on a developer
machine and fail in CI (CI=true): CI must never pass by skipping them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from golive.record.store import Store

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_ADMIN_DATABASES = ("test", "postgres")  # where CREATE/DROP DATABASE is issued from


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _admin_connection() -> Any:
    """An autocommit psycopg connection to the server, or skip (fail in CI) when there is none."""
    import psycopg

    errors = []
    for name in PG_ADMIN_DATABASES:
        try:
            return psycopg.connect(f"{PG_SERVER}/{name}", autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            errors.append(f"{name}: {exc}".strip())
    reason = f"PostgreSQL at {PG_SERVER} is unreachable: " + "; ".join(errors)
    if in_ci():
        pytest.fail(f"{reason} (CI=true: the postgres tests must run, not skip)")
    pytest.skip(reason)


@dataclass(frozen=True)
class Database:
    """A fresh, not yet migrated database: where a Store keeps its record."""

    backend: str
    url: str
    home: Path

    def open(self) -> Store:
        return Store(self.url, home=self.home)

    def still_connected(self) -> bool:
        """Does any connection to this database remain open?

        PostgreSQL lists them in pg_stat_activity; SQLite removes the -wal file when the last
        connection to a WAL database closes, so the file's presence means someone is still connected.
        """
        if self.backend == "sqlite":
            return (self.home / "golive.db-wal").exists()
        admin = _admin_connection()
        try:
            name = self.url.rsplit("/", 1)[1]
            row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)).fetchone()
            return bool(row and row[0])
        finally:
            admin.close()


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def fresh_database(backend: str, tmp_path: Path) -> Iterator[Database]:
    """A fresh database of `backend` (dropped afterwards); for fixtures elsewhere that need both backends."""
    home = tmp_path / "store-home"
    if backend == "sqlite":
        yield Database("sqlite", f"sqlite:///{home / 'golive.db'}", home)
        return
    admin = _admin_connection()
    name = f"golive_test_{secrets.token_hex(6)}"
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield Database("postgres", f"{PG_SERVER}/{name}", home)
    finally:
        # FORCE ends any connection a failed test left open, so the database never lingers.
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with fresh_database(request.param, tmp_path) as db:
        yield db


@pytest.fixture
def store(database: Database) -> Iterator[Store]:
    """A migrated store on a fresh database, parametrized over both backends."""
    opened = database.open()
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def open_store(database: Database) -> Iterator[Callable[[], Store]]:
    """Open more Store objects on the same database (closed after the test)."""
    opened: list[Store] = []

    def _open() -> Store:
        s = database.open()
        opened.append(s)
        return s

    yield _open
    for s in opened:
        s.close()


class RawSQL:
    """Plain SQL on the store's database, behind the store's back (to inspect or tamper)."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))

    def execute(self, sql: str, **params: Any) -> int:
        with self.engine.begin() as conn:
            return conn.execute(text(sql), params).rowcount

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]


@pytest.fixture
def raw_sql(database: Database, store: Store) -> Iterator[RawSQL]:
    """Raw SQL access to the (already migrated) database of `store`."""
    sql = RawSQL(database.url)
    yield sql
    sql.engine.dispose()
