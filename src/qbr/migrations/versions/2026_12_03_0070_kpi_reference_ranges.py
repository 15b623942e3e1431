"""Industry reference ranges of KPIs (kpi_reference_ranges), seeded with published figures and their sources.

Revision ID: 20261203_0070
Revises: 20261203_0060
Create Date: 2026-12-03 22:30:00

A range is seeded only for a KPI the install has (the built-in catalog's KPIs cannot be removed, so in practice
every seeded range arrives).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from qbr.kpis.reference_seed import reference_range_rows

revision: str = "20261203_0070"
down_revision: str | None = "20261203_0060"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "kpi_reference_ranges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kpi_name", sa.String(length=100), nullable=False),
        sa.Column("low", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("high", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("source_publisher", sa.String(length=200), nullable=False),
        sa.Column("source_title", sa.String(length=300), nullable=False),
        sa.Column("source_url", sa.String(length=500), nullable=True),
        sa.Column("source_year", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "direction IN ('higher_is_better', 'lower_is_better')", name=op.f("ck_kpi_reference_ranges_direction")
        ),
        sa.CheckConstraint("low IS NOT NULL OR high IS NOT NULL", name=op.f("ck_kpi_reference_ranges_has_an_end")),
        sa.CheckConstraint(
            "low IS NULL OR high IS NULL OR low <= high", name=op.f("ck_kpi_reference_ranges_low_not_above_high")
        ),
        sa.CheckConstraint(
            "source_year >= 1990 AND source_year <= 2100", name=op.f("ck_kpi_reference_ranges_source_year")
        ),
        sa.ForeignKeyConstraint(
            ["kpi_name"],
            ["kpi_definitions.kpi_name"],
            name=op.f("fk_kpi_reference_ranges_kpi_name_kpi_definitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_reference_ranges")),
        sa.UniqueConstraint("kpi_name", name=op.f("uq_kpi_reference_ranges_kpi_name")),
    )
    present = set(op.get_bind().scalars(sa.text("SELECT kpi_name FROM kpi_definitions")))
    rows = [row for row in reference_range_rows() if row["kpi_name"] in present]
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_table("kpi_reference_ranges")
