"""``/organizations/{id}/reviews/{period}`` and ``/organizations/{id}/recommendations``: the QBR's story.

Reading follows the organization scope (another organization answers 404); a reader limited to organizations (a
client) sees published versions only. Writing takes an editor of the MSP's staff (not limited to organizations).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import select

from qbr.api.deps import EditorDep, ListingDep, PrincipalDep, SessionDep
from qbr.api.listing import CSV_RESPONSE, ListEnvelope, respond
from qbr.api.params import IdPath
from qbr.core.principal import Principal
from qbr.core.schema import MAX_ID
from qbr.organizations.service import get_visible_organization
from qbr.periods.calendar import parse_period
from qbr.periods.params import PeriodPath
from qbr.reviews.edition import reader_edition
from qbr.reviews.models import ReviewVersion
from qbr.reviews.reading import published_recommendations, review_for
from qbr.reviews.recommendations import (
    add_recommendation,
    change_recommendation,
    delete_recommendation,
    get_recommendation,
    list_recommendations,
)
from qbr.reviews.schemas import (
    RecommendationCreate,
    RecommendationPublic,
    RecommendationUpdate,
    ReviewUpdate,
    ReviewVersionItem,
    ReviewView,
)
from qbr.reviews.service import publish_review, save_review

router = APIRouter(prefix="/organizations", tags=["reviews"])

VersionQuery = Annotated[
    int | None,
    Query(ge=1, le=MAX_ID, description="A published version (default: the draft, or for a client the newest)."),
]


def _staff_editor(principal: Principal, action: str) -> None:
    principal.require_unscoped("editor", action)


@router.get("/{organization_id}/reviews/{period}", summary="An organization's review of a period")
def get_review(
    organization_id: IdPath,
    period: PeriodPath,
    session: SessionDep,
    principal: PrincipalDep,
    version: VersionQuery = None,
) -> ReviewView:
    """The staff's live review (the stored text, or a draft from the data, over today's figures, with what changed
    since publication), or a published version; a client gets the newest published version."""
    get_visible_organization(session, principal, organization_id)
    return review_for(
        session, organization_id, period, reader_edition(session, principal, organization_id), version=version
    )


@router.put("/{organization_id}/reviews/{period}", summary="Edit an organization's review of a period")
def put_review(
    organization_id: IdPath, period: PeriodPath, body: ReviewUpdate, session: SessionDep, principal: EditorDep
) -> ReviewView:
    """Store the summary, highlights, concerns and goals sent (goals replace the list); the review is a draft until
    published again."""
    get_visible_organization(session, principal, organization_id)
    _staff_editor(principal, "editing a review")
    save_review(session, organization_id, parse_period(period).value, body, principal.name)
    return review_for(session, organization_id, period, "internal")


@router.post(
    "/{organization_id}/reviews/{period}/publish",
    status_code=status.HTTP_201_CREATED,
    summary="Publish an organization's review",
)
def publish(
    organization_id: IdPath, period: PeriodPath, session: SessionDep, principal: EditorDep, response: Response
) -> ReviewVersionItem:
    """Freeze the review as it stands, with today's figures, as a new version: what the client sees from now on."""
    get_visible_organization(session, principal, organization_id)
    _staff_editor(principal, "publishing a review")
    version = publish_review(session, organization_id, parse_period(period).value, principal.name)
    response.headers["Location"] = (
        f"{router.prefix}/{organization_id}/reviews/{version.period}?version={version.version}"
    )
    return ReviewVersionItem.model_validate(version)


@router.get(
    "/{organization_id}/reviews/{period}/versions",
    response_model=ListEnvelope[ReviewVersionItem],
    responses=CSV_RESPONSE,
    summary="The published versions of a review",
)
def versions(organization_id: IdPath, period: PeriodPath, listing: ListingDep) -> object:
    get_visible_organization(listing.session, listing.principal, organization_id)
    query = (
        select(ReviewVersion)
        .where(ReviewVersion.organization_id == organization_id, ReviewVersion.period == parse_period(period).value)
        .order_by(ReviewVersion.version.desc())
    )
    return listing.page(query, ReviewVersionItem, f"organization-{organization_id}-review-{period}-versions")


@router.get(
    "/{organization_id}/recommendations",
    response_model=ListEnvelope[RecommendationPublic],
    responses=CSV_RESPONSE,
    summary="An organization's recommendations",
)
def recommendations(organization_id: IdPath, listing: ListingDep) -> object:
    """Staff see every recommendation, open ones first; a client sees them as its newest published review did."""
    get_visible_organization(listing.session, listing.principal, organization_id)
    if reader_edition(listing.session, listing.principal, organization_id) == "client":
        items = published_recommendations(listing.session, organization_id)
    else:
        items = [
            RecommendationPublic.model_validate(row) for row in list_recommendations(listing.session, organization_id)
        ]
    start, end = listing.params.offset, listing.params.offset + listing.params.limit
    return respond(
        items[start:end],
        RecommendationPublic,
        listing.params,
        total=len(items),
        filename=f"organization-{organization_id}-recommendations",
    )


@router.post("/{organization_id}/recommendations", status_code=status.HTTP_201_CREATED, summary="Add a recommendation")
def create(
    organization_id: IdPath, body: RecommendationCreate, session: SessionDep, principal: EditorDep, response: Response
) -> RecommendationPublic:
    get_visible_organization(session, principal, organization_id)
    _staff_editor(principal, "adding a recommendation")
    row = add_recommendation(session, organization_id, body)
    response.headers["Location"] = f"{router.prefix}/{organization_id}/recommendations/{row.id}"
    return RecommendationPublic.model_validate(row)


@router.patch("/{organization_id}/recommendations/{recommendation_id}", summary="Change a recommendation")
def update(
    organization_id: IdPath,
    recommendation_id: IdPath,
    body: RecommendationUpdate,
    session: SessionDep,
    principal: EditorDep,
) -> RecommendationPublic:
    """Change the fields sent; status ``done`` records the quarter it was completed in (or ``completed_in``)."""
    get_visible_organization(session, principal, organization_id)
    _staff_editor(principal, "changing a recommendation")
    row = get_recommendation(session, organization_id, recommendation_id)
    return RecommendationPublic.model_validate(change_recommendation(session, row, body))


@router.delete(
    "/{organization_id}/recommendations/{recommendation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a recommendation",
)
def delete(organization_id: IdPath, recommendation_id: IdPath, session: SessionDep, principal: EditorDep) -> None:
    """Delete a recommendation; published versions keep their copy of it."""
    get_visible_organization(session, principal, organization_id)
    _staff_editor(principal, "deleting a recommendation")
    delete_recommendation(session, get_recommendation(session, organization_id, recommendation_id))
