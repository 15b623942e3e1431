"""Monthly and quarterly metric values (specified tables), the catalog of metrics and KPIs (one namespace), and
manual corrections."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from qbr.core.orm import Base, CreatedAt, IntPk, Money
from qbr.periods.models import MONTHLY_PERIOD_SQL, QUARTERLY_PERIOD_SQL

UNITS = ("count", "hours", "days", "currency", "percent")
ROLLUPS = ("sum", "avg", "last")
DIRECTIONS = ("higher_is_better", "lower_is_better")
# Who sees a metric or KPI: ``client`` items are in the client edition of pages and reports, ``internal`` ones only
# in the MSP's (see qbr.dashboard.edition).
AUDIENCES = ("client", "internal")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class MetricMonthly(Base):
    __tablename__ = "metrics_monthly"
    __table_args__ = (
        UniqueConstraint("organization_id", "period", "metric_name", "source_system"),
        CheckConstraint(MONTHLY_PERIOD_SQL.format(col="period"), name="monthly_period"),
        Index("ix_metrics_monthly_period_metric_name", "period", "metric_name"),
        Index("ix_metrics_monthly_organization_id_period", "organization_id", "period"),
    )

    id: Mapped[IntPk]
    period: Mapped[str] = mapped_column(String(7), ForeignKey("periods.period_value"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    metric_name: Mapped[str] = mapped_column(String(100))
    metric_value: Mapped[Money]
    source_system: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[CreatedAt]


class MetricQuarterly(Base):
    __tablename__ = "metrics_quarterly"
    __table_args__ = (
        UniqueConstraint("organization_id", "period", "metric_name"),
        CheckConstraint(QUARTERLY_PERIOD_SQL.format(col="period"), name="quarterly_period"),
    )

    id: Mapped[IntPk]
    period: Mapped[str] = mapped_column(String(7), ForeignKey("periods.period_value"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    metric_name: Mapped[str] = mapped_column(String(100))
    metric_value: Mapped[Money]
    created_at: Mapped[CreatedAt]


class MetricDefinition(Base):
    """A catalog entry: how a metric is measured, its unit, direction and quarterly rollup rule."""

    __tablename__ = "metric_definitions"
    __table_args__ = (
        CheckConstraint(_in("unit", UNITS), name="unit"),
        CheckConstraint(_in("rollup", ROLLUPS), name="rollup"),
        CheckConstraint(f"direction IS NULL OR {_in('direction', DIRECTIONS)}", name="direction"),
        CheckConstraint(_in("audience", AUDIENCES), name="audience"),
    )

    id: Mapped[IntPk]
    metric_name: Mapped[str] = mapped_column(String(100), unique=True)
    unit: Mapped[str] = mapped_column(String(20))
    rollup: Mapped[str] = mapped_column(String(10))
    direction: Mapped[str | None] = mapped_column(String(20))
    default_source: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    # Internal until someone decides a client may see it: a new metric never leaks by default.
    audience: Mapped[str] = mapped_column(String(10), server_default="internal")
    created_at: Mapped[CreatedAt]


class MetricCorrection(Base):
    """The record of a manual value: who set it, when, why, and what it replaced."""

    __tablename__ = "metric_corrections"

    id: Mapped[IntPk]
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), ForeignKey("periods.period_value"))
    metric_name: Mapped[str] = mapped_column(String(100))
    previous_value: Mapped[Decimal | None]
    new_value: Mapped[Decimal | None]  # NULL when a manual value was removed
    note: Mapped[str | None] = mapped_column(Text)
    period_was_closed: Mapped[bool]
    changed_by: Mapped[str | None] = mapped_column(String(100))
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


# Lengths of a reference range's texts; the API and the pages refuse longer ones with a field error.
RANGE_PUBLISHER_LENGTH = 200
RANGE_TITLE_LENGTH = 300
RANGE_URL_LENGTH = 500
RANGE_NOTE_LENGTH = 1000
RANGE_EARLIEST_YEAR = 1990
RANGE_LATEST_YEAR = 2100


class KpiReferenceRange(Base):
    """A published industry range for a KPI of the MSP's own business, in the KPI's unit, with its source.

    One range per KPI. Either end may be open ("under 0.25 hours"), never both; ``direction`` says which side of
    the range is the better one, so a figure outside it reads as better or worse than the industry.
    """

    __tablename__ = "kpi_reference_ranges"
    __table_args__ = (
        CheckConstraint(_in("direction", DIRECTIONS), name="direction"),
        CheckConstraint("low IS NOT NULL OR high IS NOT NULL", name="has_an_end"),
        CheckConstraint("low IS NULL OR high IS NULL OR low <= high", name="low_not_above_high"),
        CheckConstraint(
            f"source_year >= {RANGE_EARLIEST_YEAR} AND source_year <= {RANGE_LATEST_YEAR}", name="source_year"
        ),
    )

    id: Mapped[IntPk]
    kpi_name: Mapped[str] = mapped_column(String(100), ForeignKey("kpi_definitions.kpi_name"), unique=True)
    low: Mapped[Decimal | None]
    high: Mapped[Decimal | None]
    direction: Mapped[str] = mapped_column(String(20))
    source_publisher: Mapped[str] = mapped_column(String(RANGE_PUBLISHER_LENGTH))
    source_title: Mapped[str] = mapped_column(String(RANGE_TITLE_LENGTH))
    source_url: Mapped[str | None] = mapped_column(String(RANGE_URL_LENGTH))
    source_year: Mapped[int | None] = mapped_column(Integer)  # None when the source carries no date
    note: Mapped[str | None] = mapped_column(String(RANGE_NOTE_LENGTH))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
