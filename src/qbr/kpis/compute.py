"""Computing SmartNumbers (``smartnumbers``) for months and quarters from their metric values and KPI formulas.

For a month the inputs are the effective monthly values (Manual wins) and ``months`` is 1; for a quarter they are
the quarterly rollups and ``months`` is the number of months of the quarter with any data for the organization.
KPIs are evaluated in dependency order; a KPI used by another enters with its stored value (rounded to cents), so
every figure can be re-derived from the figures shown.

Which KPIs an organization gets: a KPI **applies** to an organization once every metric it depends on has been
recorded for that organization in some month (so a client whose technicians are the MSP's never gets "Reactive
Service %"); it gets a row for a period when at least one of those metrics has a value there. Its value is NULL when
it cannot be computed (an input missing that period, division by zero, out of range), with the reason derived on
demand (``explain_kpis``), never stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Integer,
    Numeric,
    String,
    Table,
    and_,
    bindparam,
    exists,
    func,
    select,
)
from sqlalchemy.orm import Session

from qbr.core.bulk import fetch_all, fresh_temporary, load_rows, temporary_table
from qbr.core.derived import replace_scoped_rows, scope_is_empty
from qbr.errors import InvalidInput
from qbr.kpis.formula import Formula, evaluation_order, parse_formula
from qbr.kpis.models import SmartNumber
from qbr.metrics.effective import ranked_monthly_rows
from qbr.metrics.models import KpiDefinition, MetricDefinition, MetricMonthly, MetricQuarterly
from qbr.metrics.scope import EFFECTIVE, SCOPE
from qbr.periods.calendar import parse_period

KPI_COLUMNS = ("organization_id", "period", "kpi_name", "kpi_value", "calculation_method")
KPI_STAGE = temporary_table(
    "qbr_tmp_kpi",
    Column("organization_id", Integer, nullable=False),
    Column("period", String(7), nullable=False),
    Column("kpi_name", String(100), nullable=False),
    Column("kpi_value", Numeric(12, 2)),
    Column("calculation_method", String(200), nullable=False),
    key=("organization_id", "period", "kpi_name"),
)

PairValues = dict[tuple[int, str], dict[str, Decimal]]


@dataclass(frozen=True)
class KpiResult:
    """One KPI for one organization and period: its value, or None and why."""

    kpi_name: str
    kpi_value: Decimal | None
    reason: str | None
    calculation_method: str


@dataclass(frozen=True)
class CompiledKpi:
    kpi_name: str
    formula: Formula | None  # None when the stored formula no longer parses (see ``broken``)
    calculation_method: str
    metric_inputs: frozenset[str]  # metrics it depends on, directly or through other KPIs
    broken: str | None = None


@dataclass(frozen=True)
class KpiCatalog:
    """Every KPI definition parsed once, in evaluation order."""

    kpis: tuple[CompiledKpi, ...]

    @property
    def metric_inputs(self) -> frozenset[str]:
        """Every metric some KPI depends on: the only values a computation needs to read."""
        return frozenset().union(*(kpi.metric_inputs for kpi in self.kpis))

    def evaluate(
        self, values: Mapping[str, Decimal], months: int, recorded: AbstractSet[str] | None = None
    ) -> list[KpiResult]:
        """The KPIs of one period from ``values`` (metric name → value).

        ``recorded`` is every metric the organization has ever had; KPIs depending on others do not apply.
        """
        return [KpiResult(*row) for row in self.rows(values, months, recorded)]

    def rows(
        self, values: Mapping[str, Decimal], months: int, recorded: AbstractSet[str] | None = None
    ) -> Iterator[tuple[str, Decimal | None, str | None, str]]:
        """``evaluate`` as plain (kpi_name, kpi_value, reason, calculation_method) tuples, for bulk work."""
        known: dict[str, Decimal | None] = dict(values)
        reasons: dict[str, str] = {}
        for kpi in self.kpis:
            inputs = kpi.metric_inputs
            if inputs.isdisjoint(values) or (recorded is not None and not inputs <= recorded):
                continue
            if kpi.formula is None:
                value, reason = None, kpi.broken
            else:
                value, reason = kpi.formula.evaluate(known, months)
                if reason is not None:
                    reason = _with_upstream_reasons(reason, kpi.formula, reasons)
            if reason is not None:
                reasons[kpi.kpi_name] = reason
            known[kpi.kpi_name] = value
            yield kpi.kpi_name, value, reason, kpi.calculation_method


def load_kpi_catalog(session: Session) -> KpiCatalog:
    """Parse every KPI definition; a formula that no longer validates yields NULL values with its error."""
    metric_names = frozenset(session.scalars(select(MetricDefinition.metric_name)))
    ordered = select(KpiDefinition.kpi_name, KpiDefinition.formula).order_by(
        KpiDefinition.sort_order, KpiDefinition.kpi_name
    )
    return compile_kpi_catalog(metric_names, tuple((name, formula) for name, formula in session.execute(ordered)))


@lru_cache(maxsize=32)
def compile_kpi_catalog(metric_names: frozenset[str], kpi_formulas: tuple[tuple[str, str], ...]) -> KpiCatalog:
    """The catalog of ``kpi_formulas`` ((kpi_name, formula) in catalog order) over ``metric_names``.

    Cached on the definitions themselves: a catalog is parsed once per process, not once per dashboard, and any
    change to a formula or to the metric names is a different key, parsed afresh.
    """
    definitions = dict(kpi_formulas)
    known = metric_names | set(definitions)
    parsed: dict[str, Formula] = {}
    broken: dict[str, str] = {}
    for name, text in definitions.items():
        try:
            parsed[name] = parse_formula(text, known_names=known)
        except InvalidInput as error:
            broken[name] = f"the formula is invalid: {error}"
    try:
        order = evaluation_order({name: formula.names for name, formula in parsed.items()})
    except InvalidInput as error:
        broken.update(dict.fromkeys(parsed, f"the formula is invalid: {error}"))
        parsed, order = {}, []
    inputs: dict[str, frozenset[str]] = {}
    for name in order:
        direct = parsed[name].names
        inputs[name] = frozenset(n for n in direct if n in metric_names).union(
            *(inputs.get(n, frozenset()) for n in direct)
        )
    compiled = [CompiledKpi(name, parsed[name], parsed[name].text, inputs[name]) for name in order]
    compiled += [
        CompiledKpi(name, None, definitions[name][:200], _mentioned(definitions[name], metric_names), reason)
        for name, reason in broken.items()
    ]
    return KpiCatalog(tuple(compiled))


def compute_staged_kpis(session: Session, catalog: KpiCatalog | None = None) -> None:
    """Recompute ``smartnumbers`` for every (organization, period) staged in SCOPE."""
    catalog = catalog or load_kpi_catalog(session)
    values = _staged_values(session, catalog.metric_inputs)
    months = _months_with_data(session)
    recorded = _recorded_metrics(session, SCOPE.c.organization_id)
    computed = (
        (organization_id, period, name, value, method)
        # In key order: the unique index is then filled sequentially rather than at random.
        for (organization_id, period), metric_values in sorted(values.items())
        for name, value, _, method in catalog.rows(
            metric_values, months.get((organization_id, period), 1), recorded.get(organization_id, frozenset())
        )
    )
    table: Table = SmartNumber.__table__  # type: ignore[assignment]
    in_scope = exists().where(
        SCOPE.c.organization_id == SmartNumber.organization_id, SCOPE.c.period == SmartNumber.period
    )
    if scope_is_empty(session, table, in_scope):
        # Periods without KPI values yet (a first import, a new month): nothing to compare with, so no stage.
        load_rows(session, table, computed, KPI_COLUMNS)
        return
    stage = fresh_temporary(session, KPI_STAGE)
    load_rows(session, stage, computed)
    replace_scoped_rows(
        session,
        table,
        select(*(stage.c[name] for name in KPI_COLUMNS)),
        keys=["organization_id", "period", "kpi_name"],
        values=["kpi_value", "calculation_method"],
        in_scope=in_scope,
    )


def explain_kpis(session: Session, organization_id: int, period: str) -> list[KpiResult]:
    """Every KPI of one organization and period with its value or the reason it has none (read-only)."""
    values, months = period_inputs(session, organization_id, period)
    recorded = recorded_metrics(session, organization_id)
    return load_kpi_catalog(session).evaluate(values, months, recorded)


_monthly = MetricMonthly.__table__
_RECORDED = select(_monthly.c.metric_name).where(_monthly.c.organization_id == bindparam("organization_id")).distinct()
_RECORDED_AMONG = _RECORDED.where(_monthly.c.metric_name.in_(bindparam("names", expanding=True)))


def recorded_metrics(
    connection: Session | Connection, organization_id: int, among: Collection[str] | None = None
) -> frozenset[str]:
    """Every metric ever recorded for the organization (what decides which KPIs apply to it); with ``among``, only
    which of those names it has recorded (a page that already knows the others asks about nothing more)."""
    if among is None:
        return frozenset(connection.scalars(_RECORDED, {"organization_id": organization_id}))
    names = {"organization_id": organization_id, "names": sorted(among)}
    return frozenset(connection.scalars(_RECORDED_AMONG, names))


def period_inputs(session: Session, organization_id: int, period: str) -> tuple[dict[str, Decimal], int]:
    """The metric values KPIs of one organization and period are computed from, and its ``months``."""
    ref = parse_period(period)
    if ref.is_monthly:
        where = (MetricMonthly.organization_id == organization_id, MetricMonthly.period == ref.value)
        values = load_values(session, monthly_where=where)
        return values.get((organization_id, ref.value), {}), 1
    quarterly = (MetricQuarterly.organization_id == organization_id, MetricQuarterly.period == ref.value)
    values = load_values(session, quarterly_where=quarterly)
    months_with_data = session.scalar(
        select(func.count(func.distinct(MetricMonthly.period))).where(
            MetricMonthly.organization_id == organization_id,
            MetricMonthly.period.in_([month.value for month in ref.months]),
        )
    )
    return values.get((organization_id, ref.value), {}), months_with_data or 1


def load_values(
    session: Session,
    *,
    monthly_where: Iterable[ColumnElement[bool]] | None = None,
    quarterly_where: Iterable[ColumnElement[bool]] | None = None,
) -> PairValues:
    """(organization, period) → metric name → value: effective monthly values and/or quarterly rollups."""
    values: PairValues = defaultdict(dict)
    if monthly_where is not None:
        ranked = ranked_monthly_rows(*monthly_where)
        _collect(
            values,
            session.execute(
                select(ranked.c.organization_id, ranked.c.period, ranked.c.metric_name, ranked.c.metric_value).where(
                    ranked.c.rank == 1
                )
            ).all(),
        )
    if quarterly_where is not None:
        _collect(values, session.execute(_quarterly_select().where(*quarterly_where)).all())
    return values


def _staged_values(session: Session, names: AbstractSet[str]) -> PairValues:
    """The values of metrics ``names`` for every staged pair: EFFECTIVE rows of the months in SCOPE, and the
    quarters' rollups."""
    values: PairValues = defaultdict(dict)
    wanted = sorted(names)
    effective = EFFECTIVE
    in_scope = and_(SCOPE.c.organization_id == effective.c.organization_id, SCOPE.c.period == effective.c.period)
    _collect(
        values,
        fetch_all(
            session,
            select(effective.c.organization_id, effective.c.period, effective.c.metric_name, effective.c.metric_value)
            .select_from(effective.join(SCOPE, in_scope))
            .where(effective.c.metric_name.in_(wanted)),
        ),
    )
    quarterly_in_scope = and_(
        SCOPE.c.organization_id == MetricQuarterly.organization_id, SCOPE.c.period == MetricQuarterly.period
    )
    quarterly = _quarterly_select().join(SCOPE, quarterly_in_scope).where(MetricQuarterly.metric_name.in_(wanted))
    _collect(values, fetch_all(session, quarterly))
    return values


def _quarterly_select() -> Any:
    return select(
        MetricQuarterly.organization_id,
        MetricQuarterly.period,
        MetricQuarterly.metric_name,
        MetricQuarterly.metric_value,
    )


def _collect(values: PairValues, rows: Iterable[Sequence[Any]]) -> None:
    for organization_id, period, name, value in rows:
        values[organization_id, period][name] = value


def _recorded_metrics(session: Session, organizations: ColumnElement[int]) -> dict[int, frozenset[str]]:
    """Organization → every metric ever recorded for it, for the organizations of the staged scope."""
    statement = (
        select(MetricMonthly.organization_id, MetricMonthly.metric_name)
        .where(MetricMonthly.organization_id.in_(select(organizations).distinct()))
        .distinct()
    )
    recorded: dict[int, set[str]] = defaultdict(set)
    for organization_id, name in session.execute(statement):
        recorded[organization_id].add(name)
    return {organization_id: frozenset(names) for organization_id, names in recorded.items()}


def _months_with_data(session: Session) -> dict[tuple[int, str], int]:
    """For each staged quarter, how many of its months have any data for the organization."""
    effective = EFFECTIVE
    rows = session.execute(
        select(
            effective.c.organization_id, effective.c.quarter, func.count(func.distinct(effective.c.period))
        ).group_by(effective.c.organization_id, effective.c.quarter)
    )
    return {(organization_id, quarter): count for organization_id, quarter, count in rows}


def _with_upstream_reasons(reason: str, formula: Formula, reasons: Mapping[str, str]) -> str:
    """Append why the KPIs this formula uses have no value, so the root cause is visible."""
    upstream = [f"[{name}]: {reasons[name]}" for name in formula.names if name in reasons]
    return reason if not upstream else f"{reason} ({'; '.join(upstream)})"


def _mentioned(text: str, metric_names: AbstractSet[str]) -> frozenset[str]:
    return frozenset(name for name in metric_names if f"[{name}]" in text)
