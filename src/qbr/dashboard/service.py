"""Building the dashboard of one organization for one month or quarter, in a fixed number of queries.

Every figure is read in bulk for the whole trend window (8 quarters or 13 months) and assembled in Python, so
the number of SQL statements does not depend on how many metrics, KPIs, periods or organizations exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbr.connectors.models import SyncRun
from qbr.dashboard.schemas import (
    DashboardKpi,
    DashboardMetric,
    DashboardOrganization,
    DashboardPeriod,
    DashboardSource,
    DashboardView,
    DataQualityIssue,
    TrendPoint,
)
from qbr.errors import NotFound
from qbr.kpis.compute import load_kpi_catalog, load_values
from qbr.kpis.models import KpiDefinition, SmartNumber
from qbr.metrics.models import MetricDefinition, MetricMonthly, MetricQuarterly
from qbr.metrics.quality import data_quality
from qbr.organizations.models import Organization, OrganizationLink
from qbr.organizations.service import SOURCE_SYSTEMS
from qbr.periods.calendar import PeriodRef, parse_period
from qbr.periods.models import Period
from qbr.thresholds.grading import EffectiveThreshold, effective_thresholds, grade

QUARTERS_OF_TREND = 8
MONTHS_OF_TREND = 13
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")

Values = dict[str, dict[str, Decimal | None]]  # period -> name -> value


@dataclass(frozen=True)
class _Window:
    """The periods the dashboard reads: the trend, which includes the previous period and a year earlier."""

    current: PeriodRef
    trend: tuple[PeriodRef, ...]

    @classmethod
    def ending(cls, ref: PeriodRef) -> _Window:
        span = MONTHS_OF_TREND if ref.is_monthly else QUARTERS_OF_TREND
        return cls(ref, tuple(ref.shift(step) for step in range(1 - span, 1)))

    @property
    def values(self) -> list[str]:
        return [ref.value for ref in self.trend]


def build_dashboard(session: Session, organization_id: int, period: str | PeriodRef) -> DashboardView:
    """Every KPI and metric of ``organization_id`` in ``period`` (``2025-Q1`` or ``2025-03``), graded, compared
    with the previous period and a year earlier, with its trend; plus data-quality signals and source status."""
    ref = parse_period(period) if isinstance(period, str) else period
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(f"no organization with id {organization_id}")
    window = _Window.ending(ref)
    metric_values = _metric_values(session, organization_id, window)
    months = _months_with_data(session, organization_id, ref)
    kpi_values, methods = _kpi_values(session, organization_id, window)
    thresholds = effective_thresholds(session, organization_id)
    kpis = _kpis(session, window, metric_values, kpi_values, methods, thresholds, max(len(months), 1))
    metrics = _metrics(session, window, metric_values, thresholds)
    return DashboardView(
        organization=DashboardOrganization.model_validate(organization),
        period=_period(session, ref),
        months=months,
        previous_period=ref.previous().value,
        year_ago_period=ref.year_earlier().value,
        kpis=kpis,
        metrics=metrics,
        data_quality=data_quality_issues(session, organization_id, ref),
        sources=_sources(session, organization_id),
    )


def _period(session: Session, ref: PeriodRef) -> DashboardPeriod:
    row = session.scalar(select(Period).where(Period.period_value == ref.value))
    return DashboardPeriod(
        period_value=ref.value,
        period_type=ref.period_type,
        start_date=ref.start_date,
        end_date=ref.end_date,
        # A period not created yet has no data and is still open for it.
        is_active=row.is_active if row is not None else True,
    )


def _metric_values(session: Session, organization_id: int, window: _Window) -> Values:
    """Effective monthly values (Manual wins) for a month view; quarterly rollups for a quarter view."""
    if window.current.is_monthly:
        where = (MetricMonthly.organization_id == organization_id, MetricMonthly.period.in_(window.values))
        loaded = load_values(session, monthly_where=where)
    else:
        where = (MetricQuarterly.organization_id == organization_id, MetricQuarterly.period.in_(window.values))
        loaded = load_values(session, quarterly_where=where)
    return {period: dict(values) for (_, period), values in loaded.items()}


def _months_with_data(session: Session, organization_id: int, ref: PeriodRef) -> list[str]:
    wanted = [month.value for month in ref.months]
    found = session.scalars(
        select(MetricMonthly.period)
        .where(MetricMonthly.organization_id == organization_id, MetricMonthly.period.in_(wanted))
        .distinct()
    )
    return sorted(found)


def _kpi_values(session: Session, organization_id: int, window: _Window) -> tuple[Values, dict[str, str]]:
    """Stored KPI values per period, and the calculation method recorded for the current period."""
    rows = session.execute(
        select(SmartNumber.period, SmartNumber.kpi_name, SmartNumber.kpi_value, SmartNumber.calculation_method).where(
            SmartNumber.organization_id == organization_id, SmartNumber.period.in_(window.values)
        )
    )
    values: Values = defaultdict(dict)
    methods: dict[str, str] = {}
    for period, name, value, method in rows:
        values[period][name] = value
        if period == window.current.value:
            methods[name] = method
    return values, methods


def _kpis(
    session: Session,
    window: _Window,
    metric_values: Values,
    kpi_values: Values,
    methods: Mapping[str, str],
    thresholds: Mapping[str, EffectiveThreshold],
    months: int,
) -> list[DashboardKpi]:
    definitions = session.scalars(select(KpiDefinition).order_by(KpiDefinition.sort_order, KpiDefinition.kpi_name))
    # Why a KPI has no value is derived, never stored: evaluate the formulas on this period's inputs.
    current_inputs = {k: v for k, v in metric_values.get(window.current.value, {}).items() if v is not None}
    reasons = {result.kpi_name: result.reason for result in load_kpi_catalog(session).evaluate(current_inputs, months)}
    result: list[DashboardKpi] = []
    for definition in definitions:
        name = definition.kpi_name
        series = _series(window, kpi_values, name)
        value = series[-1].value
        threshold = thresholds.get(name)
        has_row = name in kpi_values.get(window.current.value, {})
        null_reason = None
        if value is None:
            null_reason = reasons.get(name) if has_row else None
            null_reason = null_reason or "no input data for this period"
        result.append(
            DashboardKpi(
                kpi_name=name,
                kpi_value=value,
                threshold_source=threshold.source if threshold else None,
                calculation_method=methods.get(name, definition.formula),
                null_reason=null_reason,
                is_key=definition.is_key,
                **_graded(window, series, definition, threshold),
            )
        )
    return result


def _metrics(
    session: Session, window: _Window, metric_values: Values, thresholds: Mapping[str, EffectiveThreshold]
) -> list[DashboardMetric]:
    present = {name for values in metric_values.values() for name in values}
    definitions = session.scalars(select(MetricDefinition).order_by(MetricDefinition.id))
    result: list[DashboardMetric] = []
    for definition in definitions:
        name = definition.metric_name
        if name not in present:
            continue
        series = _series(window, metric_values, name)
        threshold = thresholds.get(name)
        result.append(
            DashboardMetric(
                metric_name=name,
                source_system=definition.default_source,
                metric_value=series[-1].value,
                **_graded(window, series, definition, threshold),
            )
        )
    return result


def _series(window: _Window, values: Values, name: str) -> list[TrendPoint]:
    return [TrendPoint(period=ref.value, value=values.get(ref.value, {}).get(name)) for ref in window.trend]


def _graded(
    window: _Window,
    series: Sequence[TrendPoint],
    definition: MetricDefinition | KpiDefinition,
    threshold: EffectiveThreshold | None,
) -> dict[str, object]:
    """The fields KPIs and metrics share (see ``_Graded``)."""
    direction = definition.direction
    by_period = {point.period: point.value for point in series}
    value = series[-1].value
    previous = by_period.get(window.current.previous().value)
    year_ago = by_period.get(window.current.year_earlier().value)
    warning = threshold.warning if threshold else None
    critical = threshold.critical if threshold else None
    return {
        "unit": definition.unit,
        "direction": direction,
        "status": grade(value, warning, critical, direction),
        "warning_value": warning,
        "critical_value": critical,
        "previous_value": previous,
        "year_ago_value": year_ago,
        "change_pct": change_pct(value, previous),
        "change_pct_year": change_pct(value, year_ago),
        "trend": list(series),
    }


def change_pct(value: Decimal | None, before: Decimal | None) -> Decimal | None:
    """The change from ``before`` to ``value`` in percent of ``before``'s size, to cents; None without a base."""
    if value is None or before is None or before == 0:
        return None
    return ((value - before) / abs(before) * _HUNDRED).quantize(_CENT, rounding=ROUND_HALF_UP)


def _sources(session: Session, organization_id: int) -> list[DashboardSource]:
    links = session.execute(
        select(OrganizationLink.source_system, func.max(OrganizationLink.last_synced_at))
        .where(OrganizationLink.organization_id == organization_id)
        .group_by(OrganizationLink.source_system)
    )
    linked = dict(links.all())
    last_runs = dict(
        session.execute(
            select(SyncRun.source_system, func.max(SyncRun.finished_at))
            .where(SyncRun.status == "succeeded")
            .group_by(SyncRun.source_system)
        ).all()
    )
    return [
        DashboardSource(
            source_system=source,
            # The link's own time when the connector records it, else the source's last successful sync.
            last_synced_at=(linked.get(source) or last_runs.get(source)) if source in linked else None,
            linked=source in linked,
        )
        for source in SOURCE_SYSTEMS
    ]


# What needs a look (a figure that may be wrong) versus what explains a gap.
_SEVERITY = {
    "zero_activity": "warning",
    "big_change": "warning",
    "rollup_out_of_range": "warning",
    "kpi_not_computed": "info",
    "missing_link": "info",
}


def data_quality_issues(session: Session, organization_id: int, ref: PeriodRef) -> list[DataQualityIssue]:
    """The data-quality signals of one organization for a month or a quarter, warnings first."""
    issues = [
        DataQualityIssue(
            code=signal.kind,
            severity=_SEVERITY.get(signal.kind, "info"),
            message=signal.message,
            metric_name=None if signal.kind == "missing_link" else signal.subject,
            period=signal.period,
        )
        for signal in data_quality(session, organization_id, ref.value)
    ]
    return sorted(issues, key=lambda issue: issue.severity != "warning")
