"""Tables of the record. Portable SQLAlchemy Core: the same schema runs on SQLite and PostgreSQL.

Alembic migrations (record/migrations) create and evolve it; HEAD names the newest revision so a
store already at head never imports Alembic.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

HEAD = "0002"
GENESIS = "0" * 64

metadata = MetaData()

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for an event log.
Id = BigInteger().with_variant(Integer(), "sqlite")

runs = Table(
    "runs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("checklist_path", Text, nullable=False),
    Column("checklist_sha256", String(64), nullable=False),
    Column("checklist_text", Text, nullable=False),  # the run pins the text it runs
    Column("title", Text, nullable=False),
    Column("env", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("created_by", String(200), nullable=False),
    Column("host", String(200), nullable=False),
    Column("options", Text, nullable=False),  # JSON, secrets never included
    # The chain's head, moved in the same transaction as each append (0002): what verify checks the log against.
    Column("chain", Integer, nullable=False, server_default="1"),  # 2: starts at the run's own row
    Column("event_count", Integer, nullable=False, server_default="0"),
    Column("last_hash", String(64), nullable=False, server_default=GENESIS),
    Index("ix_runs_started", "started_at"),
    Index("ix_runs_checklist_env", "checklist_path", "env"),
)

events = Table(
    "events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("run_id", String(40), ForeignKey("runs.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("type", String(40), nullable=False),
    Column("item", String(100)),
    Column("actor", String(200)),
    Column("data", Text, nullable=False),  # canonical JSON (sorted keys), part of the hash
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("run_status", String(20)),  # the run status this event set (part of its hash, 0002)
    Column("finished", Boolean, nullable=False, server_default=false()),  # it also set finished_at
    UniqueConstraint("run_id", "seq", name="uq_events_run_seq"),
)

outputs = Table(
    "outputs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("run_id", String(40), ForeignKey("runs.id"), nullable=False),
    Column("item", String(100), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("stream", String(10), nullable=False),  # out | err | service
    Column("head", Text, nullable=False),
    Column("tail", Text, nullable=False),
    Column("total_bytes", BigInteger, nullable=False),
    Column("cut_bytes", BigInteger, nullable=False),
    Index("ix_outputs_run_item", "run_id", "item"),
)

locks = Table(
    "locks",
    metadata,
    Column("name", String(500), primary_key=True),
    Column("run_id", String(40), nullable=False),
    Column("holder", String(300), nullable=False),
    Column("acquired_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)


def limit(table: Table, column: str) -> int | None:
    """How many characters `table.column` holds (None: unbounded)."""
    return getattr(table.c[column].type, "length", None)


def check_fits(table: Table, values: dict[str, Any]) -> None:
    """Refuse (exit 2) a value longer than its column: PostgreSQL would fail mid-write, SQLite would keep it."""
    from golive.errors import InputError

    for column, value in values.items():
        most = limit(table, column) if column in table.c else None
        if most is not None and isinstance(value, str) and len(value) > most:
            raise InputError(
                f"a value of {len(value)} characters for {table.name}.{column}, which holds at most {most}",
                "give a shorter value",
            )
