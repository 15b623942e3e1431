"""The queries of reviews and their versions, shared by the service and the recommendation sections."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbr.periods.calendar import parse_period
from qbr.reviews.models import Review, ReviewGoal, ReviewVersion


def find_review(session: Session, organization_id: int, period: str) -> Review | None:
    return session.scalar(select(Review).where(Review.organization_id == organization_id, Review.period == period))


def previous_review(session: Session, organization_id: int, period: str) -> Review | None:
    """The organization's review of the latest earlier period of the same kind (quarters with quarters)."""
    kind = "%-Q%" if not parse_period(period).is_monthly else "____-__"
    return session.scalar(
        select(Review)
        .where(Review.organization_id == organization_id, Review.period < period, Review.period.like(kind))
        .order_by(Review.period.desc())
        .limit(1)
    )


def goals_of(session: Session, review_id: int | None) -> list[ReviewGoal]:
    if review_id is None:
        return []
    return list(session.scalars(select(ReviewGoal).where(ReviewGoal.review_id == review_id).order_by(ReviewGoal.id)))


def versions_of(session: Session, organization_id: int, period: str) -> list[ReviewVersion]:
    """The published versions of one review, newest first."""
    return list(
        session.scalars(
            select(ReviewVersion)
            .where(ReviewVersion.organization_id == organization_id, ReviewVersion.period == period)
            .order_by(ReviewVersion.version.desc())
        )
    )


def next_version_number(session: Session, review_id: int) -> int:
    newest = session.scalar(select(func.max(ReviewVersion.version)).where(ReviewVersion.review_id == review_id))
    return (newest or 0) + 1
