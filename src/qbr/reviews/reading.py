"""What a reader of a review is shown: staff the live draft (or a version they ask for), clients published only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.errors import NotFound
from qbr.metrics.models import KpiDefinition
from qbr.periods.calendar import parse_period
from qbr.reviews.edition import edition_review
from qbr.reviews.models import ReviewVersion
from qbr.reviews.schemas import Edition, RecommendationPublic, ReviewView
from qbr.reviews.service import live_review, newest_published_version, published_review


def review_for(
    session: Session, organization_id: int, period: str, edition: Edition, *, version: int | None = None
) -> ReviewView:
    """The review of ``period`` as ``edition`` shows it.

    The internal edition is the live review unless ``version`` asks for a published one; the client edition is
    always a published version (the newest unless ``version`` says), and a review never published is not found.
    """
    value = parse_period(period, location="period").value
    if edition == "internal" and version is None:
        return edition_review(live_review(session, organization_id, value), edition)
    found = published_version(session, organization_id, value, version)
    return edition_review(published_review(session, found), edition)


def published_version(session: Session, organization_id: int, period: str, version: int | None) -> ReviewVersion:
    if version is None:
        found = newest_published_version(session, organization_id, period)
    else:
        found = session.scalar(
            select(ReviewVersion).where(
                ReviewVersion.organization_id == organization_id,
                ReviewVersion.period == period,
                ReviewVersion.version == version,
            )
        )
    if found is None:
        which = "has not been published yet" if version is None else f"has no published version {version}"
        raise NotFound(f"the review of {period} {which}")
    return found


def published_recommendations(session: Session, organization_id: int) -> list[RecommendationPublic]:
    """The recommendations as the organization's newest published review showed them (what a client may see)."""
    newest = newest_published_version(session, organization_id)
    if newest is None:
        return []
    shown = published_review(session, newest).recommendations
    return [*shown.open, *shown.completed]


def review_for_report(session: Session, organization_id: int, period: str, edition: Edition) -> ReviewView:
    """What a report of the review shows: for the client edition the newest published version, or while nothing
    is published the draft (its cover says so); for the internal edition the live review."""
    value = parse_period(period, location="period").value
    if edition == "client" and newest_published_version(session, organization_id, value) is not None:
        return review_for(session, organization_id, value, edition)
    return edition_review(live_review(session, organization_id, value), edition)


def review_glossary(session: Session) -> dict[str, str]:
    """KPI name → its description, for the glossary of a report (KPIs without a description are left out)."""
    rows = session.execute(select(KpiDefinition.kpi_name, KpiDefinition.description))
    return {name: description.strip() for name, description in rows if description and description.strip()}
