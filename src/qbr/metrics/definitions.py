"""Reading and extending the metric catalog (``metric_definitions``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.core.dialect import dialect_insert
from qbr.errors import NotFound, Problem
from qbr.metrics.models import DIRECTIONS, UNITS, MetricDefinition
from qbr.metrics.names import by_name

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
    found: MetricDefinition | None = by_name(session, MetricDefinition.metric_name, name)
    if found is None:
        raise NotFound(f"no metric named {name.strip()!r} (see `qbr metrics catalog`)")
    return found


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
    """Add metrics first seen in an import (``--allow-new-metrics``) with the defaults the import inferred.

    Two imports registering the same new metric at once both succeed: the first one's definition stays. Names go
    in sorted order, so such imports never wait for each other in a circle.
    """
    if not new_metrics:
        return
    statement = dialect_insert(session, MetricDefinition).values(
        [
            {
                "metric_name": info.metric_name,
                "unit": info.unit,
                "rollup": info.rollup,
                "direction": info.direction,
                "default_source": info.default_source,
                "description": "Registered automatically by an import; review its unit, rollup rule and direction.",
            }
            for _, info in sorted(new_metrics.items())
        ]
    )
    session.execute(statement.on_conflict_do_nothing(index_elements=["metric_name"]))
