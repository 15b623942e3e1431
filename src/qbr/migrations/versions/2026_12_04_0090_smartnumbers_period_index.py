"""An index on smartnumbers.period: ranking a client among its peers reads one period of every organization, which
PostgreSQL otherwise answers with a scan of the whole table.

Revision ID: 20261204_0090
Revises: 20261203_0080
Create Date: 2026-12-04 13:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261204_0090"
down_revision: str | None = "20261203_0080"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_smartnumbers_period", "smartnumbers", ["period"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_smartnumbers_period", table_name="smartnumbers")
