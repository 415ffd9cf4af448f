"""The chain's head on the run's row (event count, last hash), and what each event did to the run.

Existing runs keep chain 1 (they start at the genesis of zeros and their row is not hashed): their
head is taken from the events they have now. New runs are chain 2 (see record/chain.py).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    with op.batch_alter_table("runs") as runs:
        runs.add_column(sa.Column("chain", sa.Integer, nullable=False, server_default="1"))
        runs.add_column(sa.Column("event_count", sa.Integer, nullable=False, server_default="0"))
        runs.add_column(sa.Column("last_hash", sa.String(64), nullable=False, server_default=GENESIS))
    with op.batch_alter_table("events") as events:
        events.add_column(sa.Column("run_status", sa.String(20)))
        events.add_column(sa.Column("finished", sa.Boolean, nullable=False, server_default=sa.false()))
    op.execute(
        "UPDATE runs SET "
        "event_count = (SELECT count(*) FROM events WHERE events.run_id = runs.id), "
        "last_hash = COALESCE((SELECT e.hash FROM events e WHERE e.run_id = runs.id ORDER BY e.seq DESC LIMIT 1), "
        f"'{GENESIS}')"
    )


def downgrade() -> None:
    with op.batch_alter_table("events") as events:
        events.drop_column("finished")
        events.drop_column("run_status")
    with op.batch_alter_table("runs") as runs:
        runs.drop_column("last_hash")
        runs.drop_column("event_count")
        runs.drop_column("chain")
