"""The metric catalog (``metric_definitions``): adding metrics and changing how they are measured and rolled up."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbr.errors import Conflict, InvalidInput
from qbr.kpis.models import KpiDefinition
from qbr.metrics.models import MetricDefinition

# Formulas write names in square brackets, so a name must not contain them.
_FORBIDDEN_IN_NAMES = "[]"


def check_catalog_name(session: Session, name: str, location: str) -> str:
    """A new metric or KPI name: valid in formulas and not used (in any case) by another metric or KPI."""
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 100:
        raise InvalidInput.single(location, "must be 1 to 100 characters", "a name such as 'Onboarding Hours'")
    if any(char in cleaned for char in _FORBIDDEN_IN_NAMES):
        raise InvalidInput.single(location, f"{cleaned!r} contains [ or ]", "a name without square brackets")
    lowered = cleaned.lower()
    metric = session.scalar(
        select(MetricDefinition.metric_name).where(func.lower(MetricDefinition.metric_name) == lowered)
    )
    kpi = session.scalar(select(KpiDefinition.kpi_name).where(func.lower(KpiDefinition.kpi_name) == lowered))
    if metric is not None or kpi is not None:
        kind = "metric" if metric is not None else "KPI"
        raise Conflict(f"the name {cleaned!r} is already used by the {kind} {metric or kpi!r}")
    return cleaned


def create_metric_definition(
    session: Session,
    *,
    metric_name: str,
    unit: str,
    rollup: str,
    direction: str | None = None,
    default_source: str | None = None,
    description: str | None = None,
) -> MetricDefinition:
    definition = MetricDefinition(
        metric_name=check_catalog_name(session, metric_name, "metric_name"),
        unit=unit,
        rollup=rollup,
        direction=direction,
        default_source=default_source,
        description=description,
    )
    session.add(definition)
    session.flush()
    return definition


def update_metric_definition(
    session: Session, definition: MetricDefinition, changes: dict[str, object]
) -> MetricDefinition:
    """Apply ``changes`` (unit, rollup, direction, default_source, description); the name never changes,
    because stored values and formulas refer to it."""
    for field, value in changes.items():
        setattr(definition, field, value)
    session.flush()
    return definition
