"""Tables of the record. Portable SQLAlchemy Core: the same schema runs on SQLite and PostgreSQL.

Alembic migrations (record/migrations) create and evolve it; HEAD names the newest revision so a
store already at head never imports Alembic.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
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
)

HEAD = "0001"

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
