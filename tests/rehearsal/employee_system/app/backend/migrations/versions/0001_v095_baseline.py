"""v0.9.5 baseline: users, departments, employees

Revision ID: 0001_v095
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_v095"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False, server_default="viewer"),
    )
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
    )
    op.create_table(
        "employees",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(200)),
        sa.Column("position", sa.String(100)),
        sa.Column("department_id", sa.Integer, sa.ForeignKey("departments.id", name="fk_employees_department")),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_employees_last_name", "employees", ["last_name"])


def downgrade() -> None:
    op.drop_table("employees")
    op.drop_table("departments")
    op.drop_table("users")
