"""Adding and changing metric definitions: a change that decides effective values recomputes every rollup and KPI,
and a new direction must fit the metric's thresholds."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbr.errors import Conflict, InvalidInput, Problem
from qbr.kpis.recompute import recompute_everything
from qbr.metrics.definitions import NON_NEGATIVE_UNITS, validate_definition_fields
from qbr.metrics.models import ROLLUPS, MetricDefinition, MetricMonthly
from qbr.metrics.names import name_in_catalog
from qbr.thresholds.service import require_thresholds_fit


def define_metric(
    session: Session,
    metric_name: str,
    *,
    unit: str,
    rollup: str,
    direction: str | None = None,
    default_source: str | None = None,
    description: str | None = None,
    audience: str = "internal",
) -> MetricDefinition:
    """Add a metric to the catalog after checking its name, unit, rollup rule and direction."""
    name = " ".join(metric_name.split())
    problems = validate_definition_fields(name, unit=unit, direction=direction)
    if rollup not in ROLLUPS:
        problems.append(Problem("rollup", f"{rollup!r} is not a rollup rule", ", ".join(ROLLUPS)))
    if problems:
        raise InvalidInput(f"metric {name!r} cannot be defined", problems)
    taken = name_in_catalog(session, name)
    if taken is not None:
        raise Conflict(f"{name!r} is already a {taken} name; metric and KPI names are unique")
    definition = MetricDefinition(
        metric_name=name,
        unit=unit,
        rollup=rollup,
        direction=direction,
        default_source=default_source,
        description=description,
        audience=audience,
    )
    session.add(definition)
    session.flush()
    return definition


def update_metric_definition(
    session: Session, definition: MetricDefinition, changes: Mapping[str, object]
) -> MetricDefinition:
    """Apply ``changes`` (unit, rollup, direction, default_source, description, audience) after checking them.

    The name never changes, because stored values and formulas refer to it. A unit that forbids negative values
    is refused while negative values are stored; a direction must fit the metric's thresholds; a new rollup rule
    or default source (which decides the effective value) recomputes every rollup and KPI.
    """
    unknown = sorted(set(changes) - _UPDATABLE)
    if unknown:
        raise InvalidInput.single("changes", f"cannot change {', '.join(unknown)}", ", ".join(sorted(_UPDATABLE)))
    unit = str(changes.get("unit", definition.unit))
    rollup = str(changes.get("rollup", definition.rollup))
    direction = changes.get("direction", definition.direction)
    problems = validate_definition_fields(
        definition.metric_name, unit=unit, direction=direction if isinstance(direction, str) else None
    )
    if rollup not in ROLLUPS:
        problems.append(Problem("rollup", f"{rollup!r} is not a rollup rule", ", ".join(ROLLUPS)))
    if problems:
        raise InvalidInput(f"metric {definition.metric_name!r} was not changed", problems)
    if unit in NON_NEGATIVE_UNITS and unit != definition.unit:
        negative = session.scalar(
            select(func.count())
            .select_from(MetricMonthly)
            .where(MetricMonthly.metric_name == definition.metric_name, MetricMonthly.metric_value < 0)
        )
        if negative:
            raise Conflict(
                f"{definition.metric_name!r} has {negative} negative values stored, which a unit of {unit} forbids"
            )
    if direction != definition.direction:
        require_thresholds_fit(session, definition.metric_name, direction if isinstance(direction, str) else None)
    derived_change = rollup != definition.rollup or changes.get("default_source", definition.default_source) != (
        definition.default_source
    )
    for field_name, value in changes.items():
        setattr(definition, field_name, value)
    session.flush()
    if derived_change:
        recompute_everything(session)
    return definition


_UPDATABLE = frozenset({"unit", "rollup", "direction", "default_source", "description", "audience"})
