"""The KPI catalog (``kpi_definitions``): adding and changing SmartNumbers, validated before they are saved.

A formula is checked for syntax, unknown names and cycles between KPIs against the whole catalog as it would be
after the change; a saved change recomputes every stored KPI value so no figure is left from the old formula.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbr.errors import Conflict, InvalidInput, NotFound
from qbr.kpis.formula import Formula, evaluation_order, parse_formula
from qbr.kpis.recompute import recompute_everything
from qbr.metrics.definitions import validate_definition_fields
from qbr.metrics.models import KpiDefinition, MetricDefinition
from qbr.metrics.names import by_name, name_in_catalog
from qbr.thresholds.service import require_thresholds_fit

_UPDATABLE = frozenset({"formula", "unit", "direction", "description", "audience", "is_key"})


@dataclass(frozen=True)
class FormulaCheck:
    """The result of checking one stored formula."""

    kpi_name: str
    formula: str
    problem: str | None


def list_kpi_definitions(session: Session) -> list[KpiDefinition]:
    return list(session.scalars(select(KpiDefinition).order_by(KpiDefinition.sort_order, KpiDefinition.kpi_name)))


def find_kpi(session: Session, name: str) -> KpiDefinition:
    found: KpiDefinition | None = by_name(session, KpiDefinition.kpi_name, name)
    if found is None:
        raise NotFound(f"no KPI named {name.strip()!r} (see `qbr kpis list`)")
    return found


def add_kpi(
    session: Session,
    kpi_name: str,
    formula: str,
    *,
    unit: str,
    direction: str | None = None,
    description: str | None = None,
    audience: str = "internal",
    is_key: bool = False,
) -> KpiDefinition:
    """Add a KPI after validating its name, unit, direction and formula; computes it for every period with data."""
    name = " ".join(kpi_name.split())
    problems = validate_definition_fields(name, unit=unit, direction=direction)
    if problems:
        raise InvalidInput(f"KPI {name!r} cannot be added", problems)
    taken = name_in_catalog(session, name)
    if taken is not None:
        raise Conflict(f"{name!r} is already a {taken} name; metric and KPI names are unique")
    text = validate_catalog_formula(session, name, formula).text
    position = session.scalar(select(func.coalesce(func.max(KpiDefinition.sort_order), -1))) or 0
    definition = KpiDefinition(
        kpi_name=name,
        formula=text,
        unit=unit,
        direction=direction,
        description=description,
        audience=audience,
        is_key=is_key,
        sort_order=position + 1,
    )
    session.add(definition)
    session.flush()
    recompute_everything(session)
    return definition


def update_kpi(session: Session, kpi_name: str, changes: Mapping[str, Any]) -> KpiDefinition:
    """Change a KPI; ``changes`` holds only the fields to change (formula, unit, direction, description,
    audience, is_key).

    A new formula is validated against the whole catalog first and, once saved, recomputed everywhere; a new
    direction must fit the KPI's thresholds.
    """
    unknown = sorted(set(changes) - _UPDATABLE)
    if unknown:
        raise InvalidInput.single("changes", f"cannot change {', '.join(unknown)}", ", ".join(sorted(_UPDATABLE)))
    definition = find_kpi(session, kpi_name)
    direction = changes.get("direction", definition.direction)
    problems = validate_definition_fields(
        definition.kpi_name, unit=changes.get("unit", definition.unit), direction=direction
    )
    if problems:
        raise InvalidInput(f"KPI {definition.kpi_name!r} was not changed", problems)
    if direction != definition.direction:
        require_thresholds_fit(session, definition.kpi_name, direction)
    new_formula = str(changes.get("formula") or definition.formula)
    formula_changed = new_formula.strip() != definition.formula
    if formula_changed:
        definition.formula = validate_catalog_formula(session, definition.kpi_name, new_formula).text
    for field_name in ("unit", "direction", "description", "audience", "is_key"):
        if field_name in changes:
            setattr(definition, field_name, changes[field_name])
    session.flush()
    if formula_changed:
        recompute_everything(session)
    return definition


def validate_catalog_formula(session: Session, kpi_name: str, formula: str) -> Formula:
    """Check ``formula`` as the formula of ``kpi_name`` against the whole catalog (names and cycles)."""
    metric_names = set(session.scalars(select(MetricDefinition.metric_name)))
    formulas = dict(session.execute(select(KpiDefinition.kpi_name, KpiDefinition.formula)).all())
    parsed = parse_formula(formula, known_names=metric_names | set(formulas) | {kpi_name})
    dependencies: dict[str, tuple[str, ...]] = {kpi_name: parsed.names}
    for name, text in formulas.items():
        if name != kpi_name:
            try:
                dependencies[name] = parse_formula(text, known_names=metric_names | set(formulas)).names
            except InvalidInput:
                dependencies[name] = ()  # an already broken formula is reported by check_kpis, not here
    evaluation_order(dependencies)
    return parsed


def check_kpis(session: Session) -> list[FormulaCheck]:
    """Every stored formula checked for syntax, unknown names and cycles."""
    checks: list[FormulaCheck] = []
    metric_names = set(session.scalars(select(MetricDefinition.metric_name)))
    definitions = list_kpi_definitions(session)
    known = metric_names | {d.kpi_name for d in definitions}
    dependencies: dict[str, tuple[str, ...]] = {}
    for definition in definitions:
        try:
            dependencies[definition.kpi_name] = parse_formula(definition.formula, known_names=known).names
        except InvalidInput as error:
            checks.append(FormulaCheck(definition.kpi_name, definition.formula, str(error)))
            continue
        checks.append(FormulaCheck(definition.kpi_name, definition.formula, None))
    try:
        evaluation_order(dependencies)
    except InvalidInput as error:
        checks.append(FormulaCheck("(catalog)", "", str(error)))
    return checks
