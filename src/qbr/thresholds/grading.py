"""Grading a value against warning and critical thresholds, with an organization's own thresholds over defaults.

A value grades ``warning`` once it has crossed the warning threshold and ``critical`` once it has crossed the critical
one; a value equal to a threshold has not crossed it (a Total Close % of exactly 95 with warning 95 is ``ok``).
"Crossed" follows the direction: below the threshold for higher_is_better, above it for lower_is_better. A metric
without a direction, a value with no thresholds, or no value at all cannot be judged bad: ``ok`` or ``no_data``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from sqlalchemy import bindparam, or_, select
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
    """Metric or KPI name → its thresholds for ``organization_id`` (None: the defaults only).

    Each threshold type is resolved on its own: an organization that overrides only the warning value keeps the
    default critical value.
    """
    statement = _DEFAULTS if organization_id is None else _WITH_ORGANIZATION
    rows = session.connection().execute(statement, {"organization_id": organization_id}).all()
    values: dict[str, dict[str, Decimal]] = {}
    own: set[str] = set()
    for name, kind, threshold_value, owner in rows:
        values.setdefault(name, {})[kind] = threshold_value
        if owner is not None:
            own.add(name)
    return {
        name: EffectiveThreshold(
            name, pair.get("warning"), pair.get("critical"), "organization" if name in own else "default"
        )
        for name, pair in values.items()
    }
