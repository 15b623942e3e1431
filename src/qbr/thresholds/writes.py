"""Changing thresholds on behalf of a caller: who may change what, then the thresholds service's own rules.

Defaults apply to every organization, so only admins not limited to organizations change them; an organization's
own thresholds may be changed by its editors. Thresholds of organizations the caller cannot see answer 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.core.principal import Principal
from qbr.errors import InvalidInput, NotFound, Problem
from qbr.thresholds.models import Threshold
from qbr.thresholds.schemas import ThresholdWrite
from qbr.thresholds.service import delete_threshold, set_threshold


def require_may_change(principal: Principal, organization_id: int | None) -> None:
    if organization_id is None:
        principal.require_unscoped("admin", "changing default thresholds")
    else:
        principal.require_role("editor")
        if not principal.can_see(organization_id):
            raise NotFound(f"no organization has id {organization_id} (see `qbr orgs list`)")


def put_thresholds(session: Session, principal: Principal, items: Sequence[ThresholdWrite]) -> list[Threshold]:
    """Set every threshold in ``items``: each metric's warning and critical values are checked together."""
    groups: dict[tuple[str, int | None], dict[str, Decimal]] = {}
    problems: list[Problem] = []
    for index, item in enumerate(items):
        require_may_change(principal, item.organization_id)
        group = groups.setdefault((item.metric_name, item.organization_id), {})
        if item.threshold_type in group:
            problems.append(
                Problem(f"items[{index}]", "repeats a metric, organization and threshold type of an earlier item")
            )
        group[item.threshold_type] = item.threshold_value
    if problems:
        raise InvalidInput("two items set the same threshold; nothing was changed", problems)
    names: list[tuple[str, int | None]] = []
    for (name, organization_id), values in groups.items():
        effective = set_threshold(
            session,
            name,
            warning=values.get("warning"),
            critical=values.get("critical"),
            organization_id=organization_id,
        )
        names.append((effective.metric_name, organization_id))
    return [row for name, organization_id in names for row in _rows(session, name, organization_id)]


def remove_threshold(session: Session, principal: Principal, threshold_id: int) -> None:
    row = session.get(Threshold, threshold_id)
    # Defaults are visible to everyone; an organization's own thresholds only to who may see it.
    if row is None or (row.organization_id is not None and not principal.can_see(row.organization_id)):
        raise NotFound(f"no threshold with id {threshold_id}")
    require_may_change(principal, row.organization_id)
    delete_threshold(session, row.metric_name, organization_id=row.organization_id, threshold_type=row.threshold_type)


def _rows(session: Session, name: str, organization_id: int | None) -> list[Threshold]:
    owner = (
        Threshold.organization_id.is_(None) if organization_id is None else Threshold.organization_id == organization_id
    )
    query = select(Threshold).where(Threshold.metric_name == name, owner).order_by(Threshold.threshold_type.desc())
    return list(session.scalars(query))
