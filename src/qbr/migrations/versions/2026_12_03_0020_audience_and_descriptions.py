"""Audience of every metric and KPI (client or internal) and plain-language descriptions of the built-in ones.

Revision ID: 20261203_0020
Revises: 0001
Create Date: 2026-12-03 17:30:00

Existing definitions start internal except the built-in client ones (service delivery, devices, patching,
backups); a built-in description is replaced only where it is still the one the install was seeded with, so an
administrator's own text is kept.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from qbr.catalog import CLIENT_KPIS, CLIENT_METRICS, DEFAULT_METRICS
from qbr.catalog_texts import PLAIN_DESCRIPTIONS

revision: str = "20261203_0020"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = (("metric_definitions", "metric_name", CLIENT_METRICS), ("kpi_definitions", "kpi_name", CLIENT_KPIS))


def upgrade() -> None:
    for table_name, _, _ in _TABLES:
        with op.batch_alter_table(table_name) as batch:
            batch.add_column(sa.Column("audience", sa.String(length=10), server_default="internal", nullable=False))
            batch.create_check_constraint(
                op.f(f"ck_{table_name}_audience"), sa.text("audience IN ('client', 'internal')")
            )
    seeded = {m.metric_name: m.measured_as for m in DEFAULT_METRICS}
    for table_name, name_column, client_names in _TABLES:
        table = sa.table(table_name, sa.column(name_column), sa.column("audience"), sa.column("description"))
        name = table.c[name_column]
        op.execute(table.update().where(name.in_(sorted(client_names))).values(audience="client"))
        for item, text in PLAIN_DESCRIPTIONS.items():
            unchanged = sa.or_(table.c.description.is_(None), table.c.description == seeded.get(item))
            op.execute(table.update().where(name == item, unchanged).values(description=text))


def downgrade() -> None:
    seeded = {m.metric_name: m.measured_as for m in DEFAULT_METRICS}
    for table_name, name_column, _ in _TABLES:
        table = sa.table(table_name, sa.column(name_column), sa.column("description"))
        name = table.c[name_column]
        for item, text in PLAIN_DESCRIPTIONS.items():
            op.execute(
                table.update().where(name == item, table.c.description == text).values(description=seeded.get(item))
            )
        with op.batch_alter_table(table_name) as batch:
            batch.drop_constraint(op.f(f"ck_{table_name}_audience"), type_="check")
            batch.drop_column("audience")
