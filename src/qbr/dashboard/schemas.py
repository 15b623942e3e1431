"""The dashboard of one organization for one month or quarter: what the API, the web pages and the QBR report show.

Names follow the tables where a field is a column (``metric_value``, ``kpi_value``, ``period_value``…).
Amounts are Decimals in Python and JSON numbers on the wire.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic.dataclasses import dataclass

from qbr.core.schema import Number, Schema, Timestamp
from qbr.metrics.audience import Edition

Status = Literal["ok", "warning", "critical", "no_data"]
# A view's ``edition`` is ``internal`` (the MSP's staff: everything) or ``client`` (only client items, no formulas,
# data-quality notes or source details). See qbr.dashboard.edition.
Audience = Literal["client", "internal"]
# How a quarter's figure is made from its months: ``sum`` a total, ``avg`` a monthly average, ``last`` the closing
# value; None for ratios and rates, which are computed afresh for the period.
Rollup = Literal["sum", "avg", "last"]


# A dataclass, not a model: a dashboard holds some 500 points, and pydantic makes and writes a slotted dataclass in
# half the time of a model (same fields, same JSON, same schema).
@dataclass(slots=True)
class TrendPoint:
    period: str
    value: Number | None


class DashboardOrganization(Schema):
    id: int
    name: str
    is_msp: bool


class DashboardPeriod(Schema):
    period_value: str
    period_type: Literal["monthly", "quarterly"]
    start_date: date
    end_date: date
    is_active: bool
    is_partial: bool  # the period has not ended yet: its figures cover only part of it


class _Graded(Schema):
    """What KPIs and metrics share: unit, direction, grading, comparison and trend."""

    unit: str
    direction: str | None
    audience: Audience
    description: str | None  # plain language: what it measures, why it matters, what a good value is
    rollup: Rollup | None
    status: Status
    warning_value: Number | None
    critical_value: Number | None
    previous_value: Number | None
    year_ago_value: Number | None
    change_pct: Number | None  # against the previous period, in percent of its absolute value
    change_pct_year: Number | None  # against the same period a year earlier
    # For percentages, the change in percentage points (19 % to 22.6 % is +3.6); None for other units.
    change_points: Number | None
    change_points_year: Number | None
    trend: list[TrendPoint]  # the last 8 quarters or 13 months, oldest first, this period last


class DashboardPortfolio(Schema):
    """Where a client's KPI stands among the MSP's active client organizations that have it in the period
    (see qbr.insight.portfolio). Staff get every field; a client gets only ``statement``, and only when at least 5
    other organizations are compared: never the median or anything else drawn from another organization."""

    percentile: Number | None = None  # mid-rank percentile, 0-100, higher is better whatever the direction
    quartile: int | None = None  # 1 is the best quarter
    median: Number | None = None
    organizations: int | None = None  # how many organizations are compared, this one included
    statement: str | None = None  # the anonymous sentence a client may read ("top quartile of the 12 ...")

    def for_client(self) -> DashboardPortfolio | None:
        """The client edition: the statement alone, or nothing."""
        return DashboardPortfolio(statement=self.statement) if self.statement else None


class DashboardForecast(Schema):
    """A forecast of the next period with its 90 % interval, and how it was made (see qbr.insight.forecast)."""

    period: str
    value: Number
    low: Number
    high: Number
    method: str


class DashboardReferenceRange(Schema):
    """The industry's published range of one of the MSP's own KPIs (see qbr.kpis.reference_ranges), in the KPI's
    unit, and where this period's figure sits: below, within or above it, and whether that is better or worse.
    Only the MSP's own organization carries one; a client's page, report or API answer never does."""

    low: Number | None  # None: open at the low end ("0.25 hours or less")
    high: Number | None
    direction: str
    position: Literal["below", "within", "above"] | None  # None when the KPI has no value this period
    verdict: Literal["better", "worse", "within"] | None  # judged with ``direction``
    source_publisher: str
    source_title: str
    source_url: str | None
    source_year: int | None  # None when the source carries no date
    note: str | None


class DashboardKpi(_Graded):
    kpi_name: str
    kpi_value: Number | None
    threshold_source: Literal["organization", "default"] | None
    calculation_method: str | None  # the formula; None in the client edition (the description explains it)
    null_reason: str | None  # why kpi_value is null
    is_key: bool
    portfolio: DashboardPortfolio | None  # None for the MSP, an inactive organization, or a KPI without direction
    forecast: DashboardForecast | None = None  # only when asked for (``forecast=true``); never stored
    reference_range: DashboardReferenceRange | None = None  # the MSP's own organization only


class DashboardMetric(_Graded):
    """No ``portfolio``: most metrics are volumes (tickets, endpoints, hours) that grow with the client's size, so a
    rank among organizations would rank their sizes; the KPIs are the comparable ratios."""

    metric_name: str
    source_system: str | None
    metric_value: Number | None
    # Only when asked for, and only from at least 6 whole periods (see qbr.dashboard.forecasts); never stored.
    forecast: DashboardForecast | None = None


class DataQualityIssue(Schema):
    """A data-quality signal: shown so people can look, never "fixed" behind their backs."""

    code: Literal["zero_activity", "big_change", "kpi_not_computed", "rollup_out_of_range", "missing_link"]
    severity: Literal["info", "warning"]
    message: str
    metric_name: str | None  # the metric or KPI concerned (None for a missing vendor link)
    period: str | None  # the month or quarter concerned (None for a missing vendor link)


class DashboardSource(Schema):
    source_system: str
    last_synced_at: Timestamp | None
    linked: bool


class DashboardView(Schema):
    edition: Edition
    organization: DashboardOrganization
    period: DashboardPeriod
    months: list[str]  # the months of the period that have data (fewer than 3 for a quarter in progress)
    previous_period: str
    year_ago_period: str
    kpis: list[DashboardKpi]
    metrics: list[DashboardMetric]
    data_quality: list[DataQualityIssue]
    sources: list[DashboardSource]
