"""Recommendations: writing them, and the review's sections made of them (open, completed, the roadmap's budget).

Recommendations belong to the organization, not to a review: they are carried from review to review until done
or declined, and each review shows them as they stand (a published version keeps them as they stood).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.core.numbers import AMOUNT_ACCEPTED, AmountError, parse_amount
from qbr.errors import InvalidInput, NotFound
from qbr.periods.calendar import PeriodRef, parse_period
from qbr.reviews.models import CLOSED_STATUSES, OPEN_STATUSES, Recommendation
from qbr.reviews.repository import previous_review
from qbr.reviews.schemas import (
    FrozenRecommendations,
    RecommendationCreate,
    RecommendationPublic,
    RecommendationUpdate,
    RoadmapQuarter,
)

ROADMAP_QUARTERS = 4
_PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}
_ZERO = Decimal(0)


def current_quarter(today: date | None = None) -> str:
    day = today or datetime.now(UTC).date()
    return PeriodRef(day.year, (day.month - 1) // 3 + 1, "quarterly").value


def list_recommendations(session: Session, organization_id: int) -> list[Recommendation]:
    """Every recommendation of the organization: open ones first, by priority, then the closed ones."""
    rows = session.scalars(select(Recommendation).where(Recommendation.organization_id == organization_id))
    return sorted(rows, key=_display_order)


def _display_order(row: Recommendation) -> tuple[int, int, str, int]:
    return (row.status in CLOSED_STATUSES, _PRIORITY_ORDER.get(row.priority, 9), row.target_period or "9999", row.id)


def get_recommendation(session: Session, organization_id: int, recommendation_id: int) -> Recommendation:
    row = session.get(Recommendation, recommendation_id)
    # Another organization's recommendation answers exactly like a missing one.
    if row is None or row.organization_id != organization_id:
        raise NotFound(f"no recommendation with id {recommendation_id} for this organization")
    return row


def add_recommendation(session: Session, organization_id: int, body: RecommendationCreate) -> Recommendation:
    now = datetime.now(UTC)
    row = Recommendation(
        organization_id=organization_id,
        title=body.title,
        detail=body.detail,
        category=body.category,
        priority=body.priority,
        status=body.status,
        one_time_cost=_cost(body.one_time_cost, "one_time_cost"),
        monthly_cost=_cost(body.monthly_cost, "monthly_cost"),
        target_period=body.target_period,
        raised_in=parse_period(body.raised_in).value if body.raised_in else current_quarter(),
        completed_in=current_quarter() if body.status == "done" else None,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def change_recommendation(session: Session, row: Recommendation, body: RecommendationUpdate) -> Recommendation:
    """Apply the fields sent; ``done`` records when (the current quarter unless ``completed_in`` is given)."""
    changes: dict[str, Any] = body.changes()
    for required in ("title", "priority", "status"):
        if required in changes and changes[required] is None:
            raise InvalidInput.single(f"body.{required}", "must not be null", "a value, or leave the field out")
    for field in ("one_time_cost", "monthly_cost"):
        if field in changes:
            changes[field] = _cost(changes[field], field)
    if "completed_in" in changes and changes["completed_in"] is not None:
        changes["completed_in"] = parse_period(changes["completed_in"], location="body.completed_in").value
    status = changes.get("status")
    if status == "done" and row.status != "done" and not changes.get("completed_in"):
        changes["completed_in"] = current_quarter()
    elif status is not None and status != "done" and "completed_in" not in changes:
        changes["completed_in"] = None
    for field, value in changes.items():
        setattr(row, field, value)
    row.updated_at = datetime.now(UTC)
    session.flush()
    return row


def delete_recommendation(session: Session, row: Recommendation) -> None:
    # Published versions keep their own copy, so deleting changes no published review.
    session.delete(row)
    session.flush()


def _cost(raw: Decimal | None, field: str) -> Decimal | None:
    if raw is None:
        return None
    try:
        amount = parse_amount(raw)
    except AmountError as error:
        raise InvalidInput.single(f"body.{field}", str(error), AMOUNT_ACCEPTED) from None
    if amount < 0:
        raise InvalidInput.single(f"body.{field}", f"{amount} is negative", "a cost of 0 or more")
    return amount


def review_recommendations(session: Session, organization_id: int, period: str) -> FrozenRecommendations:
    """The review's sections: what is open, what was completed since the previous review, the next four quarters.

    "Since the previous review": after the period of the organization's review before this one, up to the quarter
    after this period (reviews are held once the period has ended, so work done meanwhile counts).
    """
    ref = parse_period(period)
    rows = list_recommendations(session, organization_id)
    raised_by_now = [row for row in rows if _quarter_start(row.raised_in) <= ref.quarter.shift(1).start_date]
    open_rows = [row for row in raised_by_now if row.status in OPEN_STATUSES]
    earlier = previous_review(session, organization_id, period)
    after = parse_period(earlier.period).end_date if earlier else date.min
    until = ref.quarter.shift(1).end_date
    completed = [
        row
        for row in rows
        if row.status == "done" and row.completed_in and after < _quarter_start(row.completed_in) <= until
    ]
    quarters = [ref.quarter.shift(step).value for step in range(1, ROADMAP_QUARTERS + 1)]
    return FrozenRecommendations(
        open=_public(open_rows),
        completed=_public(completed),
        roadmap=[
            roadmap_quarter(quarter, [row for row in open_rows if row.target_period == quarter]) for quarter in quarters
        ],
        unscheduled=_public([row for row in open_rows if row.target_period is None]),
    )


def roadmap_quarter(quarter: str, rows: Sequence[Recommendation]) -> RoadmapQuarter:
    """One quarter of the roadmap with its budget: the one-time costs and the monthly costs planned for it."""
    return RoadmapQuarter(
        period=quarter,
        recommendations=_public(rows),
        one_time_total=sum((row.one_time_cost or _ZERO for row in rows), _ZERO),
        monthly_total=sum((row.monthly_cost or _ZERO for row in rows), _ZERO),
    )


def _quarter_start(period: str) -> date:
    return parse_period(period).quarter.start_date


def _public(rows: Sequence[Recommendation]) -> list[RecommendationPublic]:
    return [RecommendationPublic.model_validate(row) for row in rows]
