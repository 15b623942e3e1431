"""Computed KPI values (the specified ``smartnumbers`` table); the KPI catalog lives with the metric catalog."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qbr.core.orm import Base, CreatedAt, IntPk
from qbr.periods.models import MONTHLY_PERIOD_SQL, QUARTERLY_PERIOD_SQL


class SmartNumber(Base):
    __tablename__ = "smartnumbers"
    __table_args__ = (
        UniqueConstraint("organization_id", "period", "kpi_name"),
        CheckConstraint(
            f"({MONTHLY_PERIOD_SQL.format(col='period')}) OR ({QUARTERLY_PERIOD_SQL.format(col='period')})",
            name="period_format",
        ),
        # Ranking a client among its peers reads one period of every organization (qbr.insight.portfolio). Without
        # it, PostgreSQL with statistics scans the whole table for that (1.2 M rows at 1,000 clients): about twice
        # the time of reading the period through this index.
        Index("ix_smartnumbers_period", "period"),
    )

    id: Mapped[IntPk]
    period: Mapped[str] = mapped_column(String(7), ForeignKey("periods.period_value"))
    kpi_name: Mapped[str] = mapped_column(String(100))
    # NULL when the KPI cannot be computed (missing input, division by zero); the reason is derived on demand.
    kpi_value: Mapped[Decimal | None]
    calculation_method: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    created_at: Mapped[CreatedAt]
