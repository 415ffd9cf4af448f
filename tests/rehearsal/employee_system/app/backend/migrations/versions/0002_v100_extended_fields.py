"""v1.0.0: extended employee fields; e-mail addresses unique

Revision ID: 0002_v100
Revises: 0001_v095
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_v100"
down_revision = "0001_v095"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("employees", sa.Column("phone", sa.String(40)))
    op.add_column("employees", sa.Column("hire_date", sa.Date))
    op.add_column("employees", sa.Column("employment_type", sa.String(20)))
    # Fails on data holding the same e-mail twice: the whole migration is then rolled back.
    op.create_index("ux_employees_email", "employees", ["email"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_employees_email", "employees")
    op.drop_column("employees", "employment_type")
    op.drop_column("employees", "hire_date")
    op.drop_column("employees", "phone")
