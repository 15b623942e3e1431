"""Building the dashboard of one organization for one month or quarter, in a fixed number of queries.

Every figure is read in bulk for the whole trend window (8 quarters or 13 months) and assembled in Python, so
the number of SQL statements does not depend on how many metrics, KPIs, periods or organizations exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Row, func, select
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
)
from qbr.errors import NotFound
from qbr.kpis.compute import KpiCatalog, compile_kpi_catalog, load_values
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

Series = dict[str, Decimal | None]  # period -> value, for one metric or KPI
Values = dict[str, Series]  # metric or KPI name -> its values by period


@dataclass(frozen=True)
class _Window:
    """The periods the dashboard reads: the trend, which includes the previous period and a year earlier."""

    current: PeriodRef
    periods: tuple[str, ...]  # the trend, oldest first, ending with the current period
    previous: str
    year_ago: str

    @classmethod
    def ending(cls, ref: PeriodRef) -> _Window:
        span = MONTHS_OF_TREND if ref.is_monthly else QUARTERS_OF_TREND
        trend = tuple(ref.shift(step).value for step in range(1 - span, 1))
        return cls(ref, trend, ref.previous().value, ref.year_earlier().value)


@dataclass(frozen=True)
class _Catalog:
    """The metric and KPI definitions the dashboard shows, in catalog order, and the parsed KPI formulas."""

    kpis: Sequence[Row[str, str, str, str | None, bool]]  # kpi_name, formula, unit, direction, is_key
    metrics: Sequence[Row[str, str, str | None, str | None]]  # metric_name, unit, direction, default_source
    formulas: KpiCatalog

    @classmethod
    def load(cls, session: Session) -> _Catalog:
        kpis = session.execute(
            select(
                KpiDefinition.kpi_name,
                KpiDefinition.formula,
                KpiDefinition.unit,
                KpiDefinition.direction,
                KpiDefinition.is_key,
            ).order_by(KpiDefinition.sort_order, KpiDefinition.kpi_name)
        ).all()
        metrics = session.execute(
            select(
                MetricDefinition.metric_name,
                MetricDefinition.unit,
                MetricDefinition.direction,
                MetricDefinition.default_source,
            ).order_by(MetricDefinition.id)
        ).all()
        formulas = compile_kpi_catalog(
            frozenset(metric.metric_name for metric in metrics), tuple((kpi.kpi_name, kpi.formula) for kpi in kpis)
        )
        return cls(kpis, metrics, formulas)


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
    catalog = _Catalog.load(session)
    kpis = _kpis(catalog, window, metric_values, kpi_values, methods, thresholds, max(len(months), 1))
    metrics = _metrics(catalog, window, metric_values, thresholds)
    return DashboardView(
        organization=DashboardOrganization.model_validate(organization),
        period=_period(session, ref),
        months=months,
        previous_period=window.previous,
        year_ago_period=window.year_ago,
        kpis=kpis,
        metrics=metrics,
        data_quality=data_quality_issues(session, organization_id, ref),
        sources=_sources(session, organization_id),
    )


def _period(session: Session, ref: PeriodRef) -> DashboardPeriod:
    is_active = session.scalar(select(Period.is_active).where(Period.period_value == ref.value))
    return DashboardPeriod(
        period_value=ref.value,
        period_type=ref.period_type,
        start_date=ref.start_date,
        end_date=ref.end_date,
        # A period not created yet has no data and is still open for it.
        is_active=is_active if is_active is not None else True,
    )


def _metric_values(session: Session, organization_id: int, window: _Window) -> Values:
    """Effective monthly values (Manual wins) for a month view; quarterly rollups for a quarter view."""
    if window.current.is_monthly:
        where = (MetricMonthly.organization_id == organization_id, MetricMonthly.period.in_(window.periods))
        loaded = load_values(session, monthly_where=where)
    else:
        where = (MetricQuarterly.organization_id == organization_id, MetricQuarterly.period.in_(window.periods))
        loaded = load_values(session, quarterly_where=where)
    values: Values = defaultdict(dict)
    for (_, period), by_name in loaded.items():
        for name, value in by_name.items():
            values[name][period] = value
    return values


def _months_with_data(session: Session, organization_id: int, ref: PeriodRef) -> list[str]:
    wanted = [month.value for month in ref.months]
    found = session.scalars(
        select(MetricMonthly.period)
        .where(MetricMonthly.organization_id == organization_id, MetricMonthly.period.in_(wanted))
        .distinct()
    )
    return sorted(found)


def _kpi_values(session: Session, organization_id: int, window: _Window) -> tuple[Values, dict[str, str]]:
    """Stored KPI values, and the calculation method recorded for each KPI of the current period."""
    rows = session.execute(
        select(SmartNumber.period, SmartNumber.kpi_name, SmartNumber.kpi_value, SmartNumber.calculation_method).where(
            SmartNumber.organization_id == organization_id, SmartNumber.period.in_(window.periods)
        )
    )
    values: Values = defaultdict(dict)
    methods: dict[str, str] = {}
    current = window.current.value
    for period, name, value, method in rows:
        values[name][period] = value
        if period == current:
            methods[name] = method
    return values, methods


def _kpis(
    catalog: _Catalog,
    window: _Window,
    metric_values: Values,
    kpi_values: Values,
    methods: Mapping[str, str],
    thresholds: Mapping[str, EffectiveThreshold],
    months: int,
) -> list[DashboardKpi]:
    current = window.current.value
    # Why a KPI has no value is derived, never stored: evaluate the formulas on this period's inputs.
    current_inputs: dict[str, Decimal] = {}
    for name, by_period in metric_values.items():
        value = by_period.get(current)
        if value is not None:
            current_inputs[name] = value
    reasons = {name: reason for name, _, reason, _ in catalog.formulas.rows(current_inputs, months)}
    result: list[DashboardKpi] = []
    for definition in catalog.kpis:
        name = definition.kpi_name
        series = kpi_values.get(name, _NO_VALUES)
        value = series.get(current)
        threshold = thresholds.get(name)
        null_reason = None
        if value is None:
            null_reason = reasons.get(name) if current in series else None
            null_reason = null_reason or "no input data for this period"
        result.append(
            DashboardKpi(
                kpi_name=name,
                kpi_value=value,
                threshold_source=threshold.source if threshold else None,
                calculation_method=methods.get(name, definition.formula),
                null_reason=null_reason,
                is_key=definition.is_key,
                **_graded(window, series, definition.unit, definition.direction, threshold),
            )
        )
    return result


def _metrics(
    catalog: _Catalog, window: _Window, metric_values: Values, thresholds: Mapping[str, EffectiveThreshold]
) -> list[DashboardMetric]:
    result: list[DashboardMetric] = []
    for definition in catalog.metrics:
        name = definition.metric_name
        series = metric_values.get(name)
        if series is None:
            continue
        result.append(
            DashboardMetric(
                metric_name=name,
                source_system=definition.default_source,
                metric_value=series.get(window.current.value),
                **_graded(window, series, definition.unit, definition.direction, thresholds.get(name)),
            )
        )
    return result


_NO_VALUES: Series = {}


def _graded(
    window: _Window, series: Series, unit: str, direction: str | None, threshold: EffectiveThreshold | None
) -> dict[str, object]:
    """The fields KPIs and metrics share (see ``_Graded``)."""
    value = series.get(window.current.value)
    previous = series.get(window.previous)
    year_ago = series.get(window.year_ago)
    warning = threshold.warning if threshold else None
    critical = threshold.critical if threshold else None
    return {
        "unit": unit,
        "direction": direction,
        "status": grade(value, warning, critical, direction),
        "warning_value": warning,
        "critical_value": critical,
        "previous_value": previous,
        "year_ago_value": year_ago,
        "change_pct": change_pct(value, previous),
        "change_pct_year": change_pct(value, year_ago),
        # Plain dicts: the model validates the whole list at once, several times faster than a model per point.
        "trend": [{"period": period, "value": series.get(period)} for period in window.periods],
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
