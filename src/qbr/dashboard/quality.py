"""Data-quality signals (reference/METRICS.md), computed on demand and only ever shown, never "fixed".

For one organization and a month or quarter:

- ``zero_activity``: a month with zero reactive tickets or zero endpoints for an active organization, or a month
  without one of those values although the organization has it in other months;
- ``big_change``: a metric that moved more than 50 % from the previous month, both values being at least 10 in size
  (a count going from 1 to 3 is noise; a zero is a different story, told by ``zero_activity`` where it matters);
- ``kpi_not_computed``: a KPI without a value, and why (the missing input, the zero denominator);
- ``rollup_out_of_range``: a quarterly total too large for NUMERIC(12,2), so it was not stored;
- ``missing_link``: no link to a connector's source that other client organizations have.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.kpis.compute import KpiResult, explain_kpis
from qbr.metrics.effective import ranked_monthly_rows
from qbr.metrics.models import MetricMonthly, MetricQuarterly
from qbr.organizations.models import Organization, OrganizationLink
from qbr.periods.calendar import PeriodRef, parse_period

ACTIVITY_METRICS = ("Reactive Tickets Created", "Endpoints Managed")
BIG_CHANGE = Decimal("0.5")
SMALLEST_COMPARED = Decimal(10)


@dataclass(frozen=True)
class QualitySignal:
    kind: str  # zero_activity | big_change | kpi_not_computed | rollup_out_of_range | missing_link
    organization_id: int
    period: str | None  # the month or quarter concerned; None for a missing link
    subject: str  # the metric, KPI or source system
    message: str


@dataclass(frozen=True)
class QualityInputs:
    """What the signals of one organization in a month or a quarter are judged from, however it was read."""

    organization_id: int
    is_active: bool
    is_msp: bool
    monthly: Mapping[str, Mapping[str, Decimal]]  # month -> metric -> effective value: the months and the one before
    kpis: Sequence[KpiResult]  # the KPIs that apply to the organization in the period
    quarterly_names: AbstractSet[str]  # metrics with a stored rollup for the quarter (unused for a month)
    own_links: AbstractSet[str]  # the source systems the organization is linked to
    linked_elsewhere: AbstractSet[str]  # the source systems active client organizations are linked to


def data_quality(session: Session, organization_id: int, period: str) -> list[QualitySignal]:
    """Every signal for one organization in a month or a quarter (its months, and the quarter's KPIs)."""
    organization = session.get(Organization, organization_id)
    if organization is None:
        return []
    ref = parse_period(period)
    months = ref.months
    inputs = QualityInputs(
        organization_id,
        organization.is_active,
        organization.is_msp,
        _effective(session, organization_id, [months[0].previous(), *months]),
        explain_kpis(session, organization_id, ref.value),
        set() if ref.is_monthly else _stored_rollups(session, organization_id, ref),
        # An MSP is never told about missing links (see quality_signals): nothing to read.
        set() if organization.is_msp else _own_links(session, organization_id),
        set() if organization.is_msp else _linked_elsewhere(session),
    )
    return quality_signals(ref, inputs)


def quality_signals(ref: PeriodRef, inputs: QualityInputs) -> list[QualitySignal]:
    """The signals of one organization in the month or quarter ``ref``, from what was read for it."""
    organization_id, values = inputs.organization_id, inputs.monthly
    signals: list[QualitySignal] = []
    for month in ref.months:
        signals += _activity(organization_id, inputs.is_active, month, values)
        signals += _changes(organization_id, month, values)
    signals += [
        QualitySignal("kpi_not_computed", organization_id, ref.value, r.kpi_name, f"{r.kpi_name}: {r.reason}")
        for r in inputs.kpis
        if r.kpi_value is None
    ]
    if not ref.is_monthly:
        signals += _unrolled(organization_id, ref, values, inputs.quarterly_names)
    if not inputs.is_msp:  # the MSP's own figures are its clients' totals and its books, not one vendor account
        signals += _missing_links(organization_id, inputs.own_links, inputs.linked_elsewhere)
    return signals


def _effective(session: Session, organization_id: int, months: list[PeriodRef]) -> dict[str, dict[str, Decimal]]:
    ranked = ranked_monthly_rows(
        MetricMonthly.organization_id == organization_id,
        MetricMonthly.period.in_([month.value for month in months]),
    )
    rows = session.execute(
        select(ranked.c.period, ranked.c.metric_name, ranked.c.metric_value).where(ranked.c.rank == 1)
    )
    values: dict[str, dict[str, Decimal]] = {}
    for period, name, value in rows:
        values.setdefault(period, {})[name] = value
    return values


def _activity(
    organization_id: int, is_active: bool, month: PeriodRef, values: Mapping[str, Mapping[str, Decimal]]
) -> list[QualitySignal]:
    month_values = values.get(month.value)
    if not is_active or not month_values:
        return []
    signals = []
    for name in ACTIVITY_METRICS:
        value = month_values.get(name)
        if value == 0:
            signals.append(
                QualitySignal("zero_activity", organization_id, month.value, name, f"{name} is 0 in {month}")
            )
        elif value is None and any(name in other for period, other in values.items() if period != month.value):
            signals.append(
                QualitySignal(
                    "zero_activity",
                    organization_id,
                    month.value,
                    name,
                    f"no {name} value in {month}, unlike other months",
                )
            )
    return signals


def _changes(
    organization_id: int, month: PeriodRef, values: Mapping[str, Mapping[str, Decimal]]
) -> list[QualitySignal]:
    current, previous = values.get(month.value, {}), values.get(month.previous().value, {})
    signals = []
    for name in sorted(current.keys() & previous.keys()):
        before, now = previous[name], current[name]
        if abs(before) < SMALLEST_COMPARED or abs(now) < SMALLEST_COMPARED:
            continue
        change = (now - before) / abs(before)
        if abs(change) > BIG_CHANGE:
            verb = "rose" if change > 0 else "fell"
            signals.append(
                QualitySignal(
                    "big_change",
                    organization_id,
                    month.value,
                    name,
                    f"{name} {verb} {abs(change) * 100:.0f} % from {month.previous()} ({before:,.2f} → {now:,.2f})",
                )
            )
    return signals


def _stored_rollups(session: Session, organization_id: int, quarter: PeriodRef) -> set[str]:
    return set(
        session.scalars(
            select(MetricQuarterly.metric_name).where(
                MetricQuarterly.organization_id == organization_id, MetricQuarterly.period == quarter.value
            )
        )
    )


def _unrolled(
    organization_id: int, quarter: PeriodRef, values: Mapping[str, Mapping[str, Decimal]], stored: AbstractSet[str]
) -> list[QualitySignal]:
    monthly = {name for month in quarter.months for name in values.get(month.value, {})}
    return [
        QualitySignal(
            "rollup_out_of_range",
            organization_id,
            quarter.value,
            name,
            f"{name} for {quarter} is beyond ±9,999,999,999.99 and was not stored",
        )
        for name in sorted(monthly - stored)
    ]


def _own_links(session: Session, organization_id: int) -> set[str]:
    return set(
        session.scalars(
            select(OrganizationLink.source_system).where(OrganizationLink.organization_id == organization_id)
        )
    )


def _linked_elsewhere(session: Session) -> set[str]:
    return set(
        session.scalars(
            select(OrganizationLink.source_system)
            .join(Organization, Organization.id == OrganizationLink.organization_id)
            .where(Organization.is_msp.is_(False), Organization.is_active.is_(True))
            .distinct()
        )
    )


def _missing_links(
    organization_id: int, own: AbstractSet[str], linked_elsewhere: AbstractSet[str]
) -> list[QualitySignal]:
    return [
        QualitySignal(
            "missing_link",
            organization_id,
            None,
            source,
            f"no {source} link, although other organizations have one (`qbr link`)",
        )
        for source in sorted(set(linked_elsewhere) - set(own))
    ]
