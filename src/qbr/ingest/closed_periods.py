"""What a closed period lets a collected write do: backfill an organization's first figures, never change them.

A closed month freezes the figures it holds. An organization that has no value at all in that month (a new client
whose history is being loaded) may receive its first values there: that is a **backfill**, allowed and recorded in
``metric_corrections``. Changing or adding to figures an organization already has in a closed month needs an
explicit reopen; the change is then recorded too, and the period stays closed, so no other organization's finished
report turns back into "figures in progress".
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from qbr.errors import Conflict
from qbr.metrics.models import MetricCorrection, MetricMonthly
from qbr.metrics.scope import Pair
from qbr.organizations.models import Organization
from qbr.periods.models import Period

BACKFILL_NOTE = "backfill: the organization's first figures in this closed month"
REOPEN_NOTE = "changed in a closed month with an explicit reopen"
_MAX_NAMED = 10  # organization/month pairs named in a refusal

# One collected value written into a closed month: (organization, month, metric, previous value, new value).
ClosedWrite = tuple[int, str, str, Decimal | None, Decimal]


def closed_pairs(session: Session, pairs: Iterable[Pair]) -> set[Pair]:
    """The (organization, month) pairs whose month is closed."""
    wanted = set(pairs)
    periods = sorted({period for _, period in wanted})
    if not periods:
        return set()
    closed = set(
        session.scalars(
            select(Period.period_value).where(Period.period_value.in_(periods), Period.is_active.is_(False))
        )
    )
    return {pair for pair in wanted if pair[1] in closed}


def frozen_pairs(session: Session, pairs: set[Pair]) -> set[Pair]:
    """The pairs (closed, typically) in which the organization already has a value: their figures are frozen."""
    if not pairs:
        return set()
    organizations = sorted({organization_id for organization_id, _ in pairs})
    periods = sorted({period for _, period in pairs})
    stored = session.execute(
        select(MetricMonthly.organization_id, MetricMonthly.period)
        .where(MetricMonthly.organization_id.in_(organizations), MetricMonthly.period.in_(periods))
        .distinct()
    )
    return {(organization_id, period) for organization_id, period in stored} & pairs


def closed_conflict(session: Session, frozen: set[Pair]) -> Conflict:
    """The refusal of a write that would change the figures of closed months, naming organization and month."""
    ids = sorted({organization_id for organization_id, _ in frozen})
    names = {
        row.id: row.name
        for row in session.execute(select(Organization.id, Organization.name).where(Organization.id.in_(ids)))
    }
    ordered = sorted(frozen, key=lambda pair: (pair[1], names.get(pair[0], "")))
    periods = sorted({period for _, period in frozen})
    named = ", ".join(
        f"{names.get(organization_id, organization_id)} in {period}" for organization_id, period in ordered[:_MAX_NAMED]
    )
    more = f" and {len(ordered) - _MAX_NAMED} more" if len(ordered) > _MAX_NAMED else ""
    return Conflict(
        f"period{'s' if len(periods) > 1 else ''} {', '.join(periods)} {'are' if len(periods) > 1 else 'is'} closed, "
        f"and the values would change figures already there ({named}{more}); nothing was written. Change them "
        "with --reopen (reopen=true: the change is recorded and the period stays closed), or enter a correction "
        "as a manual value. An organization's first values in a closed month need no reopen"
    )


def record_closed_writes(
    session: Session,
    writes: Iterable[ClosedWrite],
    frozen: set[Pair],
    *,
    note: str | None,
    changed_by: str | None,
) -> None:
    """One ``metric_corrections`` row per collected value written into a closed month: backfill or reopen."""
    rows = [
        {
            "organization_id": organization_id,
            "period": period,
            "metric_name": metric,
            "previous_value": previous,
            "new_value": new,
            "note": _note((organization_id, period) in frozen, note),
            "period_was_closed": True,
            "changed_by": changed_by,
        }
        for organization_id, period, metric, previous, new in writes
    ]
    if rows:
        session.execute(insert(MetricCorrection), rows)


def _note(reopened: bool, note: str | None) -> str:
    reason = REOPEN_NOTE if reopened else BACKFILL_NOTE
    return f"{reason}: {note}" if note else reason


__all__ = [
    "BACKFILL_NOTE",
    "REOPEN_NOTE",
    "ClosedWrite",
    "closed_conflict",
    "closed_pairs",
    "frozen_pairs",
    "record_closed_writes",
]
