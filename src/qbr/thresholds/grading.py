"""Grading a value against warning and critical thresholds, with an organization's own thresholds over defaults.

A value grades ``warning`` once it has crossed the warning threshold and ``critical`` once it has crossed the critical
one; a value equal to a threshold has not crossed it (a Total Close % of exactly 95 with warning 95 is ``ok``).
"Crossed" follows the direction: below the threshold for higher_is_better, above it for lower_is_better. A metric
without a direction, a value with no thresholds, or no value at all cannot be judged bad: ``ok`` or ``no_data``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session

from qbr.catalog import HIGHER, LOWER
from qbr.thresholds.models import Threshold

Status = Literal["ok", "warning", "critical", "no_data"]
ThresholdSource = Literal["organization", "default"]


@dataclass(frozen=True)
class EffectiveThreshold:
    """The thresholds that apply to one metric or KPI for one organization, and where they come from.

    ``source`` is ``organization`` when at least one of the two values is the organization's own.
    """

    metric_name: str
    warning: Decimal | None
    critical: Decimal | None
    source: ThresholdSource


def grade(value: Decimal | None, warning: Decimal | None, critical: Decimal | None, direction: str | None) -> Status:
    """``ok | warning | critical | no_data`` for ``value`` under the given thresholds and direction."""
    if value is None:
        return "no_data"
    if direction == HIGHER:
        if critical is not None and value < critical:
            return "critical"
        if warning is not None and value < warning:
            return "warning"
    elif direction == LOWER:
        if critical is not None and value > critical:
            return "critical"
        if warning is not None and value > warning:
            return "warning"
    return "ok"


_thresholds = Threshold.__table__
_THRESHOLD_ROWS = select(
    _thresholds.c.metric_name,
    _thresholds.c.threshold_type,
    _thresholds.c.threshold_value,
    _thresholds.c.organization_id,
)
_DEFAULTS = _THRESHOLD_ROWS.where(_thresholds.c.organization_id.is_(None))
# Defaults first, so an organization's row, read later, replaces the default of the same type.
_WITH_ORGANIZATION = _THRESHOLD_ROWS.where(
    or_(_thresholds.c.organization_id.is_(None), _thresholds.c.organization_id == bindparam("organization_id"))
).order_by(_thresholds.c.organization_id.is_not(None))


def effective_thresholds(session: Session, organization_id: int | None) -> dict[str, EffectiveThreshold]:
    """Metric or KPI name → its thresholds for ``organization_id`` (None: the defaults only)."""
    statement = _DEFAULTS if organization_id is None else _WITH_ORGANIZATION
    return resolve_thresholds(session.connection().execute(statement, {"organization_id": organization_id}).all())


def effective_thresholds_of_organizations(
    session: Session, organizations: Select[Any], names: Collection[str]
) -> Callable[[int], dict[str, EffectiveThreshold]]:
    """The thresholds of ``names`` for every organization ``organizations`` selects (by id), in one query:
    a function from an organization id to what ``effective_thresholds`` would answer for it (limited to ``names``)."""
    rows = session.execute(
        _THRESHOLD_ROWS.where(_thresholds.c.metric_name.in_(sorted(names))).where(
            or_(_thresholds.c.organization_id.is_(None), _thresholds.c.organization_id.in_(organizations))
        )
    ).all()
    defaults = [row for row in rows if row[3] is None]
    own: dict[int, list[Sequence[Any]]] = {}
    for row in rows:
        if row[3] is not None:
            own.setdefault(row[3], []).append(row)
    resolved_defaults = resolve_thresholds(defaults)

    def of(organization_id: int) -> dict[str, EffectiveThreshold]:
        mine = own.get(organization_id)
        return resolve_thresholds([*defaults, *mine]) if mine else resolved_defaults

    return of


def resolve_thresholds(rows: Iterable[Sequence[Any]]) -> dict[str, EffectiveThreshold]:
    """The override rule, written once: name → thresholds from the defaults and one organization's own rows.

    Rows are (name, type, value, organization id or None). Each threshold type is resolved on its own: an
    organization that overrides only the warning value keeps the default critical value.
    """
    defaults: dict[str, dict[str, Decimal]] = {}
    own: dict[str, dict[str, Decimal]] = {}
    for name, kind, threshold_value, owner in rows:
        (defaults if owner is None else own).setdefault(name, {})[kind] = threshold_value
    resolved = {}
    for name in dict.fromkeys([*defaults, *own]):
        pair = {**defaults.get(name, {}), **own.get(name, {})}
        source: ThresholdSource = "organization" if name in own else "default"
        resolved[name] = EffectiveThreshold(name, pair.get("warning"), pair.get("critical"), source)
    return resolved
