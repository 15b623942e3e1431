"""Reading and extending the metric catalog (``metric_definitions``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbr.errors import Conflict, InvalidInput, NotFound, Problem
from qbr.kpis.models import KpiDefinition
from qbr.metrics.models import DIRECTIONS, ROLLUPS, UNITS, MetricDefinition

# Units whose values can never be below zero (currency can: credits; percent can: growth).
NON_NEGATIVE_UNITS = frozenset({"count", "hours", "days"})
MAX_NAME_LENGTH = 100  # metric_name and kpi_name are VARCHAR(100)


@dataclass(frozen=True)
class MetricInfo:
    """What ingest and rollups need to know about one metric."""

    metric_name: str
    unit: str
    rollup: str
    direction: str | None
    default_source: str | None


def metric_catalog(session: Session) -> dict[str, MetricInfo]:
    """Every metric definition by exact name."""
    rows = session.execute(
        select(
            MetricDefinition.metric_name,
            MetricDefinition.unit,
            MetricDefinition.rollup,
            MetricDefinition.direction,
            MetricDefinition.default_source,
        )
    ).all()
    return {row.metric_name: MetricInfo(*row) for row in rows}


def find_metric(session: Session, name: str) -> MetricDefinition:
    """The metric definition named ``name`` (exact, else case-insensitive)."""
    cleaned = name.strip()
    found = session.scalar(select(MetricDefinition).where(MetricDefinition.metric_name == cleaned))
    if found is None:
        found = session.scalar(
            select(MetricDefinition).where(func.lower(MetricDefinition.metric_name) == cleaned.lower())
        )
    if found is None:
        raise NotFound(f"no metric named {cleaned!r} (see `qbr metrics catalog`)")
    return found


def define_metric(
    session: Session,
    metric_name: str,
    *,
    unit: str,
    rollup: str,
    direction: str | None = None,
    default_source: str | None = None,
    description: str | None = None,
) -> MetricDefinition:
    """Add a metric to the catalog after checking its name, unit, rollup rule and direction."""
    name = " ".join(metric_name.split())
    problems = validate_definition_fields(name, unit=unit, direction=direction)
    if rollup not in ROLLUPS:
        problems.append(Problem("rollup", f"{rollup!r} is not a rollup rule", ", ".join(ROLLUPS)))
    if problems:
        raise InvalidInput(f"metric {name!r} cannot be defined", problems)
    if name.lower() in {n.lower() for n in session.scalars(select(KpiDefinition.kpi_name))}:
        raise Conflict(f"{name!r} is already a KPI name; a metric and a KPI cannot share a name")
    if session.scalar(select(MetricDefinition).where(func.lower(MetricDefinition.metric_name) == name.lower())):
        raise Conflict(f"metric {name!r} already exists")
    definition = MetricDefinition(
        metric_name=name,
        unit=unit,
        rollup=rollup,
        direction=direction,
        default_source=default_source,
        description=description,
    )
    session.add(definition)
    session.flush()
    return definition


def validate_definition_fields(name: str, *, unit: str, direction: str | None) -> list[Problem]:
    """Problems with the fields metric and KPI definitions share: name, unit, direction."""
    problems: list[Problem] = []
    if not name:
        problems.append(Problem("name", "is empty", f"1 to {MAX_NAME_LENGTH} characters"))
    elif len(name) > MAX_NAME_LENGTH:
        problems.append(Problem("name", f"is {len(name)} characters long", f"at most {MAX_NAME_LENGTH} characters"))
    elif any(bracket in name for bracket in "[]"):
        problems.append(Problem("name", f"{name!r} contains a bracket", "a name without [ or ] (formulas use them)"))
    if unit not in UNITS:
        problems.append(Problem("unit", f"{unit!r} is not a unit", ", ".join(UNITS)))
    if direction is not None and direction not in DIRECTIONS:
        problems.append(Problem("direction", f"{direction!r} is not a direction", ", ".join(DIRECTIONS)))
    return problems


def register_new_metrics(session: Session, new_metrics: Mapping[str, MetricInfo]) -> None:
    """Add metrics first seen in an import (``--allow-new-metrics``) with the defaults the import inferred."""
    for info in new_metrics.values():
        session.add(
            MetricDefinition(
                metric_name=info.metric_name,
                unit=info.unit,
                rollup=info.rollup,
                direction=info.direction,
                default_source=info.default_source,
                description="Registered automatically by an import; review its unit, rollup rule and direction.",
            )
        )
    session.flush()


def update_metric_definition(
    session: Session, definition: MetricDefinition, changes: Mapping[str, object]
) -> MetricDefinition:
    """Apply ``changes`` (unit, rollup, direction, default_source, description); the name never changes,
    because stored values and formulas refer to it."""
    for field, value in changes.items():
        setattr(definition, field, value)
    session.flush()
    return definition
