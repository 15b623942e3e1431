"""Computed KPI values (the specified ``smartnumbers`` table) and the KPI catalog with formulas."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from qbr.core.orm import Base, CreatedAt, IntPk
from qbr.metrics.models import AUDIENCES, DIRECTIONS, UNITS, _in
from qbr.periods.models import MONTHLY_PERIOD_SQL, QUARTERLY_PERIOD_SQL


class SmartNumber(Base):
    __tablename__ = "smartnumbers"
    __table_args__ = (
        UniqueConstraint("organization_id", "period", "kpi_name"),
        CheckConstraint(
            f"({MONTHLY_PERIOD_SQL.format(col='period')}) OR ({QUARTERLY_PERIOD_SQL.format(col='period')})",
            name="period_format",
        ),
    )

    id: Mapped[IntPk]
    period: Mapped[str] = mapped_column(String(7), ForeignKey("periods.period_value"))
    kpi_name: Mapped[str] = mapped_column(String(100))
    # NULL when the KPI cannot be computed (missing input, division by zero); the reason is derived on demand.
    kpi_value: Mapped[Decimal | None]
    calculation_method: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    created_at: Mapped[CreatedAt]


class KpiDefinition(Base):
    """A SmartNumber: its formula over metric and KPI names and the variable ``months``."""

    __tablename__ = "kpi_definitions"
    __table_args__ = (
        CheckConstraint(_in("unit", UNITS), name="unit"),
        CheckConstraint(f"direction IS NULL OR {_in('direction', DIRECTIONS)}", name="direction"),
        CheckConstraint(_in("audience", AUDIENCES), name="audience"),
    )

    id: Mapped[IntPk]
    kpi_name: Mapped[str] = mapped_column(String(100), unique=True)
    # Fits calculation_method VARCHAR(200), where the formula used is recorded with every value.
    formula: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    # Internal until someone decides a client may see it: a new KPI never leaks by default.
    audience: Mapped[str] = mapped_column(String(10), server_default="internal")
    # Key KPIs are the ones the overview and the executive summary lead with.
    is_key: Mapped[bool] = mapped_column(Boolean, server_default=false())
    sort_order: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[CreatedAt]
