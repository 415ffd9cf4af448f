"""A new store gets the head schema in one step, without Alembic; it must be the very schema the
migrations build, on SQLite and on PostgreSQL, and an older store is still migrated step by step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from golive.record import database, schema
from tests.record.conftest import BACKENDS, RawSQL, fresh_database

MIGRATIONS = Path(database.__file__).parent / "migrations"


def alembic_upgrade(engine: Engine, to: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, to)


def shape(engine: Engine) -> dict[str, Any]:
    """Everything about the tables that the code relies on, comparable across two databases."""
    found = inspect(engine)
    tables: dict[str, Any] = {}
    for name in sorted(found.get_table_names()):
        tables[name] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default") is not None)
                for c in found.get_columns(name)
            ],
            "primary": found.get_pk_constraint(name)["constrained_columns"],
            "indexes": sorted((i["name"], tuple(i["column_names"])) for i in found.get_indexes(name)),
            "unique": sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(name)),
            "foreign": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"]) for f in found.get_foreign_keys(name)
            ),
        }
    return tables


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_new_store_has_exactly_the_schema_the_migrations_build(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path / "migrated") as migrated, fresh_database(backend, tmp_path / "new") as new:
        for db in (migrated, new):
            db.home.mkdir(parents=True, exist_ok=True)
        by_migrations, by_head = RawSQL(migrated.url), RawSQL(new.url)
        try:
            alembic_upgrade(by_migrations.engine, "head")
            new.open().close()  # the store's own first opening: no Alembic

            assert shape(by_head.engine) == shape(by_migrations.engine)
            with by_migrations.engine.connect() as conn:
                assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
            assert by_head.rows("SELECT version_num FROM alembic_version") == [(schema.HEAD,)]
        finally:
            by_migrations.engine.dispose()
            by_head.engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_store_from_an_older_release_is_migrated_and_keeps_its_runs(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as old:
        old.home.mkdir(parents=True, exist_ok=True)
        sql = RawSQL(old.url)
        try:
            alembic_upgrade(sql.engine, "0001")
            sql.execute(
                "INSERT INTO runs (id, checklist_path, checklist_sha256, checklist_text, title, env, status, "
                "started_at, created_by, host, options) VALUES ('r1', 'd.md', :sha, '# d', 'd', 'staging', "
                "'passed', CURRENT_TIMESTAMP, 'alice', 'h', '{}')",
                sha="ab" * 32,
            )
            store = old.open()
            try:
                assert store.run("r1").status == "passed"
            finally:
                store.close()
            assert sql.rows("SELECT version_num FROM alembic_version") == [(schema.HEAD,)]
            with sql.engine.connect() as conn:
                assert conn.execute(text("SELECT event_count FROM runs WHERE id = 'r1'")).scalar() == 0
        finally:
            sql.engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_new_store_is_made_without_replaying_the_migrations(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_replay(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a new store replayed the migrations")

    monkeypatch.setattr(command, "upgrade", no_replay)
    with fresh_database(backend, tmp_path) as new:
        new.home.mkdir(parents=True, exist_ok=True)
        store = new.open()
        store.close()
