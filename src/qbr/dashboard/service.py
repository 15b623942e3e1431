"""Building the dashboard of one organization for one month or quarter, in a fixed number of queries.

Every figure is read in bulk for the whole trend window (8 quarters or 13 months) and assembled in Python, so
the number of SQL statements does not depend on how many metrics, KPIs, periods or organizations exist. The
statements are built once, with bound parameters, and run on the session's connection: they return plain rows,
and the data-quality signals are judged from the same rows instead of reading them again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import BindParameter, Connection, Integer, Result, Row, bindparam, case, func, select
from sqlalchemy.orm import Session

from qbr.connectors.models import SyncRun
from qbr.dashboard.figures import change_pct, change_points, is_in_progress, kpi_rollups
from qbr.dashboard.quality import QualityInputs, QualitySignal, data_quality, quality_signals
from qbr.dashboard.ranges import with_reference_ranges
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
from qbr.insight.portfolio import Standing, portfolio_rows, standings
from qbr.kpis.compute import KpiCatalog, compile_kpi_catalog, recorded_metrics
from qbr.kpis.models import SmartNumber
from qbr.metrics.effective import ranked_monthly_rows
from qbr.metrics.models import KpiDefinition, MetricDefinition, MetricMonthly, MetricQuarterly
from qbr.organizations.models import Organization, OrganizationLink
from qbr.periods.calendar import PeriodRef, parse_period
from qbr.periods.models import Period
from qbr.sources import CONNECTOR_SOURCES
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


_ORGANIZATION: BindParameter[int] = bindparam("organization_id", type_=Integer)
_PERIODS: BindParameter[list[str]] = bindparam("periods", expanding=True)
_periods = Period.__table__
_organizations = Organization.__table__
_links = OrganizationLink.__table__
_runs = SyncRun.__table__

# The organization, and whether the period asked for is still open (NULL: not created yet).
_ORGANIZATION_ROW = select(
    _organizations.c.id,
    _organizations.c.name,
    _organizations.c.is_msp,
    _organizations.c.is_active,
    select(_periods.c.is_active)
    .where(_periods.c.period_value == bindparam("period"))
    .scalar_subquery()
    .label("period_is_active"),
).where(_organizations.c.id == _ORGANIZATION)
_ranked = ranked_monthly_rows(MetricMonthly.organization_id == _ORGANIZATION, MetricMonthly.period.in_(_PERIODS))
_EFFECTIVE_MONTHLY = select(_ranked.c.period, _ranked.c.metric_name, _ranked.c.metric_value).where(_ranked.c.rank == 1)
_quarterly = MetricQuarterly.__table__
_QUARTERLY = select(_quarterly.c.period, _quarterly.c.metric_name, _quarterly.c.metric_value).where(
    _quarterly.c.organization_id == _ORGANIZATION, _quarterly.c.period.in_(_PERIODS)
)
_smartnumbers = SmartNumber.__table__
_KPI_VALUES = select(
    _smartnumbers.c.period, _smartnumbers.c.kpi_name, _smartnumbers.c.kpi_value, _smartnumbers.c.calculation_method
).where(_smartnumbers.c.organization_id == _ORGANIZATION, _smartnumbers.c.period.in_(_PERIODS))
_kpi_definitions = KpiDefinition.__table__
_KPI_DEFINITIONS = select(
    _kpi_definitions.c.kpi_name,
    _kpi_definitions.c.formula,
    _kpi_definitions.c.unit,
    _kpi_definitions.c.direction,
    _kpi_definitions.c.is_key,
    _kpi_definitions.c.audience,
    _kpi_definitions.c.description,
).order_by(_kpi_definitions.c.sort_order, _kpi_definitions.c.kpi_name)
_metric_definitions = MetricDefinition.__table__
_METRIC_DEFINITIONS = select(
    _metric_definitions.c.metric_name,
    _metric_definitions.c.unit,
    _metric_definitions.c.direction,
    _metric_definitions.c.default_source,
    _metric_definitions.c.audience,
    _metric_definitions.c.description,
    _metric_definitions.c.rollup,
).order_by(_metric_definitions.c.id)
_own = _links.c.organization_id == _ORGANIZATION
# Per source system: whether the organization is linked to it and when the link last synced, whether an active
# client organization is (for the missing-link signal), and the source's last successful sync.
_SOURCES = (
    select(
        _links.c.source_system,
        func.max(case((_own, 1), else_=0)),
        func.max(case((_own, _links.c.last_synced_at))),
        func.max(case((_organizations.c.is_msp.is_(False) & _organizations.c.is_active.is_(True), 1), else_=0)),
        select(func.max(_runs.c.finished_at))
        .where(_runs.c.status == "succeeded", _runs.c.source_system == _links.c.source_system)
        .scalar_subquery(),
    )
    .join_from(_links, _organizations, _organizations.c.id == _links.c.organization_id)
    .group_by(_links.c.source_system)
)

ByPeriod = dict[str, dict[str, Decimal]]  # period -> metric name -> value


@dataclass(frozen=True)
class _Catalog:
    """The metric and KPI definitions the dashboard shows, in catalog order, and the parsed KPI formulas."""

    # kpi_name, formula, unit, direction, is_key, audience, description
    kpis: Sequence[Row[Any, Any, Any, Any, Any, Any, Any]]
    # metric_name, unit, direction, default_source, audience, description, rollup
    metrics: Sequence[Row[Any, Any, Any, Any, Any, Any, Any]]
    formulas: KpiCatalog
    kpi_rollups: Mapping[str, str | None]  # KPI name -> "sum" for totals of summed metrics

    @classmethod
    def load(cls, connection: Connection) -> _Catalog:
        kpis = connection.execute(_KPI_DEFINITIONS).all()
        metrics = connection.execute(_METRIC_DEFINITIONS).all()
        formulas = compile_kpi_catalog(
            frozenset(metric.metric_name for metric in metrics), tuple((kpi.kpi_name, kpi.formula) for kpi in kpis)
        )
        rollups = kpi_rollups(
            {metric.metric_name: metric.rollup for metric in metrics}, [(kpi.kpi_name, kpi.formula) for kpi in kpis]
        )
        return cls(kpis, metrics, formulas, rollups)


@dataclass(frozen=True)
class _Links:
    own: dict[str, Any]  # linked source system -> when the link last synced (or the source's last success)
    elsewhere: set[str]  # source systems active client organizations are linked to

    @classmethod
    def load(cls, connection: Connection, organization_id: int) -> _Links:
        own: dict[str, Any] = {}
        elsewhere: set[str] = set()
        for source, is_own, link_synced, client_linked, last_run in connection.execute(
            _SOURCES, {"organization_id": organization_id}
        ).all():
            if is_own:
                # The link's own time when the connector records it, else the source's last successful sync.
                own[source] = link_synced or last_run
            if client_linked:
                elsewhere.add(source)
        return cls(own, elsewhere)


def build_dashboard(session: Session, organization_id: int, period: str | PeriodRef) -> DashboardView:
    """Every KPI and metric of ``organization_id`` in ``period`` (``2025-Q1`` or ``2025-03``), graded, compared
    with the previous period and a year earlier, with its trend; plus data-quality signals and source status."""
    ref = parse_period(period) if isinstance(period, str) else period
    connection = session.connection()
    organization = connection.execute(
        _ORGANIZATION_ROW, {"organization_id": organization_id, "period": ref.value}
    ).first()
    if organization is None:
        raise NotFound(f"no organization with id {organization_id}")
    window = _Window.ending(ref)
    ids = {"organization_id": organization_id}
    quality_months = [ref.months[0].previous().value, *(month.value for month in ref.months)]
    if ref.is_monthly:
        # The trend's 13 months include the month before: the data-quality signals need nothing more.
        monthly = _by_period(connection.execute(_EFFECTIVE_MONTHLY, {**ids, "periods": list(window.periods)}))
        shown = monthly
    else:
        monthly = _by_period(connection.execute(_EFFECTIVE_MONTHLY, {**ids, "periods": quality_months}))
        shown = _by_period(connection.execute(_QUARTERLY, {**ids, "periods": list(window.periods)}))
    months = [month.value for month in ref.months if month.value in monthly]
    kpi_values, methods = _kpi_values(connection, organization_id, window)
    thresholds = effective_thresholds(session, organization_id)
    catalog = _Catalog.load(connection)
    current_inputs = shown.get(ref.value, {})
    month_count = max(len(months), 1)
    portfolio = _portfolio(connection, catalog, organization_id, ref) if not organization.is_msp else {}
    kpis = _kpis(catalog, window, current_inputs, kpi_values, methods, thresholds, month_count, portfolio)
    metrics = _metrics(catalog, window, _by_name(shown), thresholds)
    links = _Links.load(connection, organization_id)
    recorded = _recorded(connection, organization_id, catalog.formulas, current_inputs)
    signals = quality_signals(
        ref,
        QualityInputs(
            organization_id,
            organization.is_active,
            organization.is_msp,
            {month: monthly[month] for month in quality_months if month in monthly},
            catalog.formulas.evaluate(current_inputs, month_count, recorded),
            set(current_inputs),
            set(links.own),
            links.elsewhere,
        ),
    )
    view = DashboardView(
        edition="internal",
        organization=DashboardOrganization(id=organization.id, name=organization.name, is_msp=organization.is_msp),
        period=DashboardPeriod(
            period_value=ref.value,
            period_type=ref.period_type,
            start_date=ref.start_date,
            end_date=ref.end_date,
            # A period not created yet has no data and is still open for it.
            is_active=organization.period_is_active if organization.period_is_active is not None else True,
            is_partial=is_in_progress(ref.value, date.today()),
        ),
        months=months,
        previous_period=window.previous,
        year_ago_period=window.year_ago,
        kpis=kpis,
        metrics=metrics,
        data_quality=_issues(signals),
        sources=[
            DashboardSource(source_system=source, last_synced_at=links.own.get(source), linked=source in links.own)
            for source in _sources_in_use(links, metrics)
        ],
    )
    return with_reference_ranges(session, view)  # the MSP's own organization only


def _sources_in_use(links: _Links, metrics: list[DashboardMetric]) -> list[str]:
    """The connectors worth listing: linked here or to a client, or the source of a value shown. An MSP runs one
    system of each kind, so the others would only fill the page with "not linked"."""
    shown = {metric.source_system for metric in metrics}
    return [
        source for source in CONNECTOR_SOURCES if source in links.own or source in links.elsewhere or source in shown
    ]


def _portfolio(connection: Connection, catalog: _Catalog, organization_id: int, ref: PeriodRef) -> dict[str, Standing]:
    """The organization's standing among its peers for each KPI of the period: one statement for all KPIs."""
    directions = {kpi.kpi_name: kpi.direction for kpi in catalog.kpis}
    found = standings(portfolio_rows(connection, ref.value), directions, organization_id)
    return {kpi_name: standing for (_, kpi_name), standing in found.items()}


def _portfolio_item(standing: Standing | None) -> dict[str, object] | None:
    if standing is None:
        return None
    return {
        "percentile": standing.percentile,
        "quartile": standing.quartile,
        "median": standing.median,
        "organizations": standing.organizations,
        "statement": standing.client_statement(),
    }


def _recorded(
    connection: Connection, organization_id: int, formulas: KpiCatalog, current_inputs: Mapping[str, Decimal]
) -> frozenset[str]:
    """The metrics KPIs depend on that the organization has ever recorded, asking only about those that matter.

    A metric with a value this period has been recorded (a quarter's rollups come from its monthly values), so
    only the KPIs' other inputs are looked up; for an organization with every input this period, none are.
    """
    known = frozenset(current_inputs)
    unknown = frozenset().union(*(kpi.metric_inputs for kpi in formulas.kpis)) - known
    if not unknown:
        return known
    return known | recorded_metrics(connection, organization_id, among=unknown)


def _by_period(result: Result[Any, Any, Any]) -> ByPeriod:
    values: ByPeriod = {}
    for period, name, value in result.all():
        values.setdefault(period, {})[name] = value
    return values


def _by_name(by_period: ByPeriod) -> Values:
    values: Values = {}
    for period, by_name in by_period.items():
        for name, value in by_name.items():
            values.setdefault(name, {})[period] = value
    return values


def _kpi_values(connection: Connection, organization_id: int, window: _Window) -> tuple[Values, dict[str, str]]:
    """Stored KPI values, and the calculation method recorded for each KPI of the current period."""
    # all() fetches in one call: iterating a result row by row costs a driver call per row.
    rows = connection.execute(_KPI_VALUES, {"organization_id": organization_id, "periods": list(window.periods)}).all()
    values: Values = {}
    methods: dict[str, str] = {}
    current = window.current.value
    for period, name, value, method in rows:
        values.setdefault(name, {})[period] = value
        if period == current:
            methods[name] = method
    return values, methods


def _kpis(
    catalog: _Catalog,
    window: _Window,
    current_inputs: Mapping[str, Decimal],
    kpi_values: Values,
    methods: Mapping[str, str],
    thresholds: Mapping[str, EffectiveThreshold],
    months: int,
    portfolio: Mapping[str, Standing],
) -> list[DashboardKpi]:
    current = window.current.value
    # Why a KPI has no value is derived, never stored: evaluate the formulas on this period's inputs.
    reasons = {name: reason for name, _, reason, _ in catalog.formulas.rows(current_inputs, months)}
    result: list[dict[str, object]] = []
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
            {
                "kpi_name": name,
                "kpi_value": value,
                "threshold_source": threshold.source if threshold else None,
                "calculation_method": methods.get(name, definition.formula),
                "null_reason": null_reason,
                "is_key": definition.is_key,
                "audience": definition.audience,
                "description": definition.description,
                "rollup": catalog.kpi_rollups.get(name),
                "portfolio": _portfolio_item(portfolio.get(name)),
                **_graded(window, series, definition.unit, definition.direction, threshold),
            }
        )
    return _KPI_LIST.validate_python(result)


def _metrics(
    catalog: _Catalog, window: _Window, metric_values: Values, thresholds: Mapping[str, EffectiveThreshold]
) -> list[DashboardMetric]:
    result: list[dict[str, object]] = []
    for definition in catalog.metrics:
        name = definition.metric_name
        series = metric_values.get(name)
        if series is None:
            continue
        result.append(
            {
                "metric_name": name,
                "source_system": definition.default_source,
                "metric_value": series.get(window.current.value),
                "audience": definition.audience,
                "description": definition.description,
                "rollup": definition.rollup,
                **_graded(window, series, definition.unit, definition.direction, thresholds.get(name)),
            }
        )
    return _METRIC_LIST.validate_python(result)


_NO_VALUES: Series = {}
# Items are gathered as plain dicts and validated as one list: one call into pydantic, not one per item.
_KPI_LIST = TypeAdapter(list[DashboardKpi])
_METRIC_LIST = TypeAdapter(list[DashboardMetric])


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
        "change_points": change_points(value, previous) if unit == "percent" else None,
        "change_points_year": change_points(value, year_ago) if unit == "percent" else None,
        # Plain dicts, validated with the item (see _KPI_LIST): several times faster than a model per point.
        "trend": [{"period": period, "value": series.get(period)} for period in window.periods],
    }


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
    return _issues(data_quality(session, organization_id, ref.value))


def _issues(signals: Iterable[QualitySignal]) -> list[DataQualityIssue]:
    issues = [
        DataQualityIssue(
            code=signal.kind,
            severity=_SEVERITY.get(signal.kind, "info"),
            message=signal.message,
            metric_name=None if signal.kind == "missing_link" else signal.subject,
            period=signal.period,
        )
        for signal in signals
    ]
    return sorted(issues, key=lambda issue: issue.severity != "warning")
