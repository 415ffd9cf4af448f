"""The record: runs, events (hash-chained), outputs, locks.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("checklist_path", sa.Text, nullable=False),
        sa.Column("checklist_sha256", sa.String(64), nullable=False),
        sa.Column("checklist_text", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("env", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("options", sa.Text, nullable=False),
    )
    op.create_index("ix_runs_started", "runs", ["started_at"])
    op.create_index("ix_runs_checklist_env", "runs", ["checklist_path", "env"])
    op.create_table(
        "events",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("item", sa.String(100)),
        sa.Column("actor", sa.String(200)),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("run_id", "seq", name="uq_events_run_seq"),
    )
    op.create_table(
        "outputs",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("item", sa.String(100), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("stream", sa.String(10), nullable=False),
        sa.Column("head", sa.Text, nullable=False),
        sa.Column("tail", sa.Text, nullable=False),
        sa.Column("total_bytes", sa.BigInteger, nullable=False),
        sa.Column("cut_bytes", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_outputs_run_item", "outputs", ["run_id", "item"])
    op.create_table(
        "locks",
        sa.Column("name", sa.String(500), primary_key=True),
        sa.Column("run_id", sa.String(40), nullable=False),
        sa.Column("holder", sa.String(300), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("locks")
    op.drop_index("ix_outputs_run_item", "outputs")
    op.drop_table("outputs")
    op.drop_table("events")
    op.drop_index("ix_runs_checklist_env", "runs")
    op.drop_index("ix_runs_started", "runs")
    op.drop_table("runs")
