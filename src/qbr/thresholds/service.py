"""Setting, deleting and listing thresholds, refusing any change that would leave a pair inconsistent.

Consistency is direction-aware: for a higher_is_better number the warning value must be above the critical value,
for lower_is_better below it. It is checked on the *effective* pair of every organization the change touches (an
organization's own values over the defaults), so changing a default cannot silently break an override.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.catalog import HIGHER, LOWER
from qbr.core.numbers import AMOUNT_ACCEPTED, Amount, AmountError, parse_amount
from qbr.errors import Conflict, InvalidInput, NotFound, Problem
from qbr.metrics.locks import lock_thresholds_of
from qbr.metrics.models import KpiDefinition, MetricDefinition
from qbr.metrics.names import by_name
from qbr.organizations.models import Organization
from qbr.thresholds.grading import EffectiveThreshold, effective_thresholds
from qbr.thresholds.models import Threshold

THRESHOLD_TYPES = ("warning", "critical")
_Key = tuple[int | None, str]  # (organization_id or None for the default, threshold_type)


@dataclass(frozen=True)
class GradedName:
    """A metric or KPI that thresholds can refer to."""

    name: str
    direction: str | None
    kind: str  # "metric" | "KPI"


@dataclass(frozen=True)
class ThresholdListing:
    name: str
    direction: str | None
    threshold: EffectiveThreshold


def find_graded_name(session: Session, name: str) -> GradedName:
    """The metric or KPI called ``name`` (exact, else case-insensitive), with its direction."""
    metric: MetricDefinition | None = by_name(session, MetricDefinition.metric_name, name)
    if metric is not None:
        return GradedName(metric.metric_name, metric.direction, "metric")
    kpi: KpiDefinition | None = by_name(session, KpiDefinition.kpi_name, name)
    if kpi is not None:
        return GradedName(kpi.kpi_name, kpi.direction, "KPI")
    raise NotFound(f"no metric or KPI named {name.strip()!r} (see `qbr metrics catalog` and `qbr kpis list`)")


def set_threshold(
    session: Session,
    name: str,
    *,
    warning: Amount | None = None,
    critical: Amount | None = None,
    organization_id: int | None = None,
) -> EffectiveThreshold:
    """Set the warning and/or critical value of ``name``, the default (no organization) or an organization's own."""
    graded = _gradable(session, name)
    _require_organization(session, organization_id)
    lock_thresholds_of(session, graded.name)  # the consistency check below reads what a concurrent edit changes
    given = {kind: raw for kind, raw in (("warning", warning), ("critical", critical)) if raw is not None}
    if not given:
        raise InvalidInput.single(
            "thresholds", "neither a warning nor a critical value was given", "--warning, --critical or both"
        )
    values: dict[str, Decimal] = {}
    problems: list[Problem] = []
    for kind, raw in given.items():
        try:
            values[kind] = parse_amount(raw)
        except AmountError as error:
            problems.append(Problem(kind, str(error), AMOUNT_ACCEPTED))
    if problems:
        raise InvalidInput(f"thresholds for {graded.name!r} were not changed", problems)
    stored = _stored(session, graded.name)
    proposed = dict(stored)
    proposed.update({(organization_id, kind): value for kind, value in values.items()})
    _require_consistent(graded, proposed, organization_id, _organization_names(session))
    for kind, value in values.items():
        row = session.scalar(_row_query(graded.name, organization_id, kind))
        if row is None:
            session.add(
                Threshold(
                    metric_name=graded.name, threshold_type=kind, threshold_value=value, organization_id=organization_id
                )
            )
        elif row.threshold_value != value:
            row.threshold_value = value
    session.flush()
    return effective_thresholds(session, organization_id)[graded.name]


def delete_threshold(
    session: Session, name: str, *, organization_id: int | None = None, threshold_type: str | None = None
) -> int:
    """Delete ``name``'s thresholds (one type or both) for an organization or the defaults; returns rows deleted."""
    graded = find_graded_name(session, name)
    _require_organization(session, organization_id)
    lock_thresholds_of(session, graded.name)
    if threshold_type is not None and threshold_type not in THRESHOLD_TYPES:
        raise InvalidInput.single("type", f"{threshold_type!r} is not a threshold type", "warning or critical")
    kinds = [threshold_type] if threshold_type else list(THRESHOLD_TYPES)
    rows = [row for kind in kinds if (row := session.scalar(_row_query(graded.name, organization_id, kind)))]
    if not rows:
        whose = "default" if organization_id is None else f"organization {organization_id}'s own"
        raise NotFound(f"{graded.name!r} has no {whose} {threshold_type or 'threshold'} to delete")
    proposed = {
        key: value
        for key, value in _stored(session, graded.name).items()
        if key[1] not in kinds or key[0] != organization_id
    }
    if graded.direction is not None:
        _require_consistent(graded, proposed, organization_id, _organization_names(session))
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def list_thresholds(session: Session, organization_id: int | None = None) -> list[ThresholdListing]:
    """Every metric or KPI with a threshold for ``organization_id`` (None: the defaults), by name."""
    _require_organization(session, organization_id)
    effective = effective_thresholds(session, organization_id)
    directions = dict(session.execute(select(MetricDefinition.metric_name, MetricDefinition.direction)).all())
    directions.update(session.execute(select(KpiDefinition.kpi_name, KpiDefinition.direction)).all())
    return [ThresholdListing(name, directions.get(name), effective[name]) for name in sorted(effective)]


def consistency_problem(direction: str | None, warning: Decimal | None, critical: Decimal | None) -> str | None:
    """Why a (warning, critical) pair is inconsistent for ``direction``, or None when it is fine."""
    if warning is None or critical is None:
        return None
    if direction == HIGHER and not warning > critical:
        return f"higher is better, so the warning value ({warning}) must be above the critical value ({critical})"
    if direction == LOWER and not warning < critical:
        return f"lower is better, so the warning value ({warning}) must be below the critical value ({critical})"
    return None


def require_thresholds_fit(session: Session, name: str, direction: str | None) -> None:
    """Refuse a direction change that the thresholds of ``name`` (defaults and overrides) do not fit."""
    lock_thresholds_of(session, name)
    rows = session.execute(
        select(Threshold.organization_id, Threshold.threshold_type, Threshold.threshold_value).where(
            Threshold.metric_name == name
        )
    ).all()
    if not rows:
        return
    if direction is None:
        raise Conflict(f"{name!r} has thresholds; delete them before removing its direction (`qbr thresholds delete`)")
    pairs: dict[int | None, dict[str, Decimal]] = {}
    for owner, kind, value in rows:
        pairs.setdefault(owner, {})[kind] = value
    defaults = pairs.get(None, {})
    problems = [
        Problem("default" if owner is None else f"organization {owner}", reason)
        for owner, pair in pairs.items()
        if (
            reason := consistency_problem(
                direction,
                pair.get("warning", defaults.get("warning")),
                pair.get("critical", defaults.get("critical")),
            )
        )
    ]
    if problems:
        raise Conflict(
            f"{name!r} has thresholds that do not fit the new direction; change them first: "
            + "; ".join(str(p) for p in problems)
        )


def _gradable(session: Session, name: str) -> GradedName:
    graded = find_graded_name(session, name)
    if graded.direction is None:
        raise InvalidInput.single(
            "name",
            f"{graded.name!r} has no direction (neither higher nor lower is better), so it cannot be graded",
            "a metric or KPI whose definition says higher_is_better or lower_is_better",
        )
    return graded


def _require_consistent(
    graded: GradedName, proposed: dict[_Key, Decimal], changed: int | None, names: dict[int, str]
) -> None:
    """Every organization the change affects must end with a consistent effective pair."""
    affected = {changed} if changed is not None else {None} | {owner for owner, _ in proposed if owner is not None}
    problems: list[Problem] = []
    for owner in sorted(affected, key=lambda o: (o is not None, o or 0)):
        pair = [proposed.get((owner, kind), proposed.get((None, kind))) for kind in THRESHOLD_TYPES]
        reason = consistency_problem(graded.direction, pair[0], pair[1])
        if reason is not None:
            whose = "default" if owner is None else f"organization {names.get(owner, owner)!r}"
            problems.append(Problem(f"{graded.name} ({whose})", reason))
    if not problems:
        return
    if problems[0].location.endswith("(default)") or changed is not None:
        raise InvalidInput(str(problems[0]), problems[:1])
    raise Conflict(
        f"changing the default thresholds of {graded.name!r} would leave organizations' own thresholds "
        "inconsistent: " + "; ".join(str(p) for p in problems)
    )


def _stored(session: Session, name: str) -> dict[_Key, Decimal]:
    rows = session.execute(
        select(Threshold.organization_id, Threshold.threshold_type, Threshold.threshold_value).where(
            Threshold.metric_name == name
        )
    )
    return {(owner, kind): value for owner, kind, value in rows}


def _row_query(name: str, organization_id: int | None, kind: str) -> Any:
    owner = (
        Threshold.organization_id.is_(None) if organization_id is None else Threshold.organization_id == organization_id
    )
    return select(Threshold).where(Threshold.metric_name == name, Threshold.threshold_type == kind, owner)


def _require_organization(session: Session, organization_id: int | None) -> None:
    if organization_id is not None and session.get(Organization, organization_id) is None:
        raise NotFound(f"no organization has id {organization_id} (see `qbr orgs list`)")


def _organization_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Organization.id, Organization.name)).all())
