"""Manual values: the corrections that override collected values, allowed in closed periods and always recorded."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import (
    delete,
    select,
)
from sqlalchemy.orm import Session

from qbr.core.numbers import Amount
from qbr.errors import NotFound
from qbr.ingest.validation import (
    MetricInput,
)
from qbr.ingest.writing import ingest_metrics
from qbr.kpis.recompute import pairs_of_organizations, recompute
from qbr.metrics.definitions import (
    find_metric,
)
from qbr.metrics.effective import effective_monthly_values
from qbr.metrics.locks import lock_organizations
from qbr.metrics.models import MetricCorrection, MetricMonthly
from qbr.organizations.models import Organization
from qbr.periods.calendar import parse_period
from qbr.periods.models import Period
from qbr.sources import MANUAL


@dataclass(frozen=True)
class ManualValueChange:
    """What a manual value replaced; ``changed`` is False when the same manual value was already there."""

    previous_value: Decimal | None
    new_value: Decimal | None
    changed: bool
    period_was_closed: bool


def set_manual_value(
    session: Session,
    organization_id: int,
    period: str,
    metric_name: str,
    value: Amount | None,
    *,
    note: str | None = None,
    changed_by: str | None = None,
) -> ManualValueChange:
    """Set (or with ``value`` None, remove) the Manual value that overrides collected values. Never commits.

    Allowed in closed periods; every change is recorded in ``metric_corrections`` with ``note``.
    """
    ref = parse_period(period, location="period", expect="monthly")
    if session.get(Organization, organization_id) is None:
        raise NotFound(f"no organization has id {organization_id} (see `qbr orgs list`)")
    name = find_metric(session, metric_name).metric_name
    previous = _effective_value(session, organization_id, ref.value, name)
    period_row = session.scalar(select(Period).where(Period.period_value == ref.value))
    was_closed = period_row is not None and not period_row.is_active
    if value is not None:
        result = ingest_metrics(
            session,
            [MetricInput(organization_id, ref.value, name, value, MANUAL)],
            note=note,
            changed_by=changed_by,
        )
        new_value = _effective_value(session, organization_id, ref.value, name)
        return ManualValueChange(previous, new_value, result.written > 0, was_closed)
    manual = session.scalar(
        select(MetricMonthly).where(
            MetricMonthly.organization_id == organization_id,
            MetricMonthly.period == ref.value,
            MetricMonthly.metric_name == name,
            MetricMonthly.source_system == MANUAL,
        )
    )
    if manual is None:
        raise NotFound(f"there is no manual value of {name!r} for organization {organization_id} in {ref.value}")
    with session.begin_nested():
        lock_organizations(session, [organization_id])
        session.add(
            MetricCorrection(
                organization_id=organization_id,
                period=ref.value,
                metric_name=name,
                previous_value=manual.metric_value,
                new_value=None,
                note=note,
                period_was_closed=was_closed,
                changed_by=changed_by,
            )
        )
        session.execute(delete(MetricMonthly).where(MetricMonthly.id == manual.id))
        still_recorded = session.scalar(
            select(MetricMonthly.id)
            .where(MetricMonthly.organization_id == organization_id, MetricMonthly.metric_name == name)
            .limit(1)
        )
        # The organization's last value of this metric: KPIs using it no longer apply to any of its periods.
        if still_recorded is None:
            recompute(session, pairs_of_organizations(session, [organization_id]) | {(organization_id, ref.value)})
        else:
            recompute(session, [(organization_id, ref.value)])
    return ManualValueChange(previous, _effective_value(session, organization_id, ref.value, name), True, was_closed)


def _effective_value(session: Session, organization_id: int, period: str, metric_name: str) -> Decimal | None:
    statement = effective_monthly_values(
        MetricMonthly.organization_id == organization_id,
        MetricMonthly.period == period,
        MetricMonthly.metric_name == metric_name,
    )
    row = session.execute(statement).first()
    return None if row is None else row.metric_value
