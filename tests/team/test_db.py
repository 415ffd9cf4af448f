"""`golive db current` and `golive db upgrade` on both stores: where the schema stands, and bringing it
to this golive's head (Alembic), once; the address shown never includes a password."""

from __future__ import annotations

from pathlib import Path

from golive.record import schema
from tests.helpers import golive
from tests.record.conftest import Database


def test_an_empty_store_is_behind_upgrade_brings_it_to_head_once(team_store: Database, tmp_path: Path) -> None:
    r = golive("db", "current", cwd=tmp_path)
    assert r.returncode == 1 and f"this golive's head is {schema.HEAD} (golive db upgrade)" in r.stdout, r.stdout

    r = golive("db", "upgrade", cwd=tmp_path)
    assert r.returncode == 0 and f"upgraded from an empty store to {schema.HEAD} (head)" in r.stdout, (
        r.stdout + r.stderr
    )

    r = golive("db", "current", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.strip().endswith(f": {schema.HEAD} (head)"), r.stdout
    r = golive("db", "upgrade", cwd=tmp_path)
    assert r.returncode == 0 and f"already at {schema.HEAD} (head)" in r.stdout


def test_an_unreachable_store_is_named_without_its_password(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "GOLIVE_DATABASE_URL": "postgresql://golive:s3cretpw@127.0.0.1:1/none"}
    r = golive("db", "current", cwd=tmp_path, env=env)
    assert r.returncode == 2 and "cannot reach the store postgresql://golive:***@127.0.0.1:1/none" in r.stderr
    assert "s3cretpw" not in r.stdout + r.stderr
