"""Data versions: one counter per organization and one for what every organization shares, bumped by every write
that changes a view, read to answer conditional requests and to reuse cached views (qbr.core.versions).

Revision ID: 20261203_0080
Revises: 20261203_0070
Create Date: 2026-12-03 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261203_0080"
down_revision: str | None = "20261203_0070"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_versions",
        sa.Column("scope", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_data_versions")),
    )


def downgrade() -> None:
    op.drop_table("data_versions")
