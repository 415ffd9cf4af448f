"""`sql` (SQLAlchemy): a query's value or rows, tables that must exist, the Alembic revision.

    - sql: "{{ DATABASE_URL }}"          # postgresql://, mysql:// or mariadb://, sqlite:///
      query: SELECT COUNT(*) FROM employees
      expect: {value: ">0"}
    - sql: sqlite:///instance/jobsearchai.db
      tables: [job_matches, cv_versions]
    - sql: "{{ DATABASE_URL }}"
      migration: head
      scripts: migrations                # the Alembic script directory

A check never changes the database: its transaction is rolled back, SQLite is opened read-only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import re
from typing import Any

from pydantic import Field, field_validator, model_validator

from golive.checks.base import Comparison, Context, Fact, Observation, Options, ProbeError, redact_url
from golive.checks.base import Spec as BaseSpec
from golive.checks.compare import number_fact, value_fact

_DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
}
ROW_LIMIT = 10_000


class SqlExpect(Options):
    value: Any = Field(default=None, description='the first column of the first row: a value or a comparison (">0")')
    rows: Comparison | None = Field(default=None, description='how many rows, e.g. 3 or ">0"')


class SqlSpec(BaseSpec):
    TYPE = "sql"
    sql: str = Field(description="a database URL: postgresql://, mysql://, mariadb:// or sqlite:///PATH")
    query: str | None = Field(default=None, description="a query; without expect, it must run")
    expect: SqlExpect = Field(default=SqlExpect(), description="what the query must return")
    tables: list[str] = Field(default_factory=list, description="tables that must exist")
    migration: str | None = Field(default=None, description="`head`, or a revision the database must be at")
    scripts: str | None = Field(default=None, description="the Alembic script directory (for `migration`)")

    @field_validator("sql")
    @classmethod
    def _url(cls, value: str) -> str:
        scheme = value.split("://", 1)[0].split("+", 1)[0].lower() if "://" in value else ""
        if scheme not in (*_DRIVERS, "sqlite"):
            raise ValueError("a database URL: postgresql://…, mysql://…, mariadb://… or sqlite:///PATH")
        return value

    @model_validator(mode="after")
    def _migration_needs_scripts(self) -> SqlSpec:
        if self.migration == "head" and not self.scripts:
            raise ValueError("`migration: head` needs `scripts:` (the Alembic script directory)")
        if (self.expect.value is not None or self.expect.rows is not None) and not self.query:
            raise ValueError("`expect` judges a `query`: add one")
        return self


Spec = SqlSpec


def engine_url(url: str, ctx: Context) -> str:
    """The SQLAlchemy URL: psycopg and PyMySQL drivers; SQLite read-only, relative to the session's cwd."""
    scheme, rest = url.split("://", 1)
    base = scheme.split("+", 1)[0].lower()
    if base == "sqlite":
        path = rest[1:] if rest.startswith("/") else rest
        if path in ("", ":memory:"):
            raise ProbeError("an in-memory SQLite database has nothing to check")
        full = ctx.path(path.split("?", 1)[0])
        if not full.is_file():
            raise ProbeError(f"no SQLite database at {full}")
        return f"sqlite:///file:{full}?mode=ro&uri=true"
    return f"{_DRIVERS[base]}://{rest}"


async def probe(spec: SqlSpec, ctx: Context) -> Observation:
    return await asyncio.to_thread(_probe, spec, ctx)


def _probe(spec: SqlSpec, ctx: Context) -> Observation:
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.pool import NullPool

    url = engine_url(spec.sql, ctx)
    seconds = max(1, int(spec.timeout))
    args: dict[str, Any] = {}
    if url.startswith("postgresql"):
        args = {"connect_timeout": seconds}
    elif url.startswith("mysql"):
        args = {"connect_timeout": seconds, "read_timeout": seconds}
    engine = create_engine(url, poolclass=NullPool, connect_args=args)
    obs: Observation = {"database": redact_url(spec.sql)}
    try:
        with engine.connect() as conn:
            if spec.query:
                rows = conn.execute(text(spec.query)).fetchmany(ROW_LIMIT)
                obs["rows"] = len(rows)
                obs["value"] = _plain(rows[0][0]) if rows and len(rows[0]) else None
            if spec.tables:
                present = set(inspect(conn).get_table_names())
                obs["missing_tables"] = [t for t in spec.tables if t not in present]
            if spec.migration:
                obs.update(_revisions(conn, spec, ctx))
            if not (spec.query or spec.tables or spec.migration):
                conn.execute(text("SELECT 1"))
                obs["connected"] = True
            conn.rollback()
    except SQLAlchemyError as exc:
        raise ProbeError(_first_line(exc)) from None
    finally:
        engine.dispose()
    return obs


def _revisions(conn: Any, spec: SqlSpec, ctx: Context) -> Observation:
    from alembic.runtime.migration import MigrationContext

    current = sorted(MigrationContext.configure(conn).get_current_heads())
    out: Observation = {"revision": current}
    if spec.scripts:
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        directory = ctx.path(spec.scripts)
        if not directory.is_dir():
            raise ProbeError(f"no Alembic script directory at {directory}")
        config = Config()
        config.set_main_option("script_location", str(directory))
        out["heads"] = sorted(ScriptDirectory.from_config(config).get_heads())
    return out


def judge(spec: SqlSpec, obs: Observation) -> list[Fact]:
    facts: list[Fact] = []
    if spec.query:
        e = spec.expect
        if e.value is not None:
            facts.append(value_fact("value", obs.get("value"), e.value))
        if e.rows is not None:
            facts.append(number_fact("rows", obs.get("rows"), e.rows))
        if e.value is None and e.rows is None:
            facts.append(Fact(True, f"query ran: {obs.get('rows')} row(s)"))
    if spec.tables:
        missing = obs.get("missing_tables", [])
        text = f"tables missing: {', '.join(missing)}" if missing else f"{len(spec.tables)} table(s) exist"
        facts.append(Fact(not missing, text))
    if spec.migration:
        facts.append(_migration(spec.migration, obs.get("revision", []), obs.get("heads")))
    if obs.get("connected"):
        facts.append(Fact(True, f"connected to {obs['database']}"))
    return facts


def _migration(wanted: str, current: list[str], heads: list[str] | None) -> Fact:
    shown = ", ".join(current) or "none (no alembic_version)"
    if wanted == "head":
        ok = bool(heads) and sorted(current) == sorted(heads or [])
        return Fact(ok, f"revision {shown}" + ("" if ok else f", want head {', '.join(heads or [])}"))
    ok = any(rev.startswith(wanted) for rev in current)
    return Fact(ok, f"revision {shown}" + ("" if ok else f", want {wanted}"))


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    message = text[0] if text else type(exc).__name__
    return re.sub(r"\(Background on this error.*$", "", message).strip()
