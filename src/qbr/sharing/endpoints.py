"""``/share-links``: create (the URL is in that response only), list, one link with every opening, revoke. Staff
only: an editor not limited to organizations."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from sqlalchemy.orm import Session

from qbr.api.deps import ListingDep, PrincipalDep, SessionDep
from qbr.api.listing import CSV_RESPONSE, ListEnvelope, respond
from qbr.api.params import IdPath
from qbr.core.principal import Principal
from qbr.errors import NotFound
from qbr.organizations.service import get_visible_organization
from qbr.reviews.models import ReviewVersion
from qbr.sharing.models import ShareLink
from qbr.sharing.schemas import (
    ShareLinkDetail,
    ShareLinkIssued,
    ShareLinkItem,
    ShareLinkOpeningItem,
    ShareLinkRequest,
)
from qbr.sharing.service import create_share_link, link_state, list_share_links, openings, revoke_share_link, share_url

router = APIRouter(prefix="/share-links", tags=["share links"])


def _staff(principal: Principal) -> None:
    principal.require_unscoped("editor", "managing share links")


def share_link_public(session: Session, link: ShareLink) -> ShareLinkItem:
    version = session.get(ReviewVersion, link.review_version_id)
    assert version is not None
    opened = openings(session, link.id)
    return ShareLinkItem(
        id=link.id,
        organization_id=link.organization_id,
        period=version.period,
        version=version.version,
        created_at=link.created_at,
        created_by=link.created_by,
        expires_at=link.expires_at,
        revoked_at=link.revoked_at,
        state=link_state(link),
        opening_count=len(opened),
        last_opened_at=opened[-1].opened_at if opened else None,
    )


@router.get("", response_model=ListEnvelope[ShareLinkItem], responses=CSV_RESPONSE, summary="Share links, newest first")
def get_share_links(listing: ListingDep, organization_id: int | None = None) -> object:
    _staff(listing.principal)
    links = list_share_links(listing.session, [organization_id] if organization_id is not None else None)
    start, end = listing.params.offset, listing.params.offset + listing.params.limit
    items = [share_link_public(listing.session, link) for link in links[start:end]]
    return respond(items, ShareLinkItem, listing.params, total=len(links), filename="share-links")


@router.get("/{link_id}", summary="One share link with every opening (when, client address, user agent)")
def get_share_link(link_id: IdPath, session: SessionDep, principal: PrincipalDep) -> ShareLinkDetail:
    _staff(principal)
    link = session.get(ShareLink, link_id)
    if link is None:
        raise NotFound(f"no share link with id {link_id}")
    rows = [ShareLinkOpeningItem.model_validate(row) for row in openings(session, link.id)]
    return ShareLinkDetail(**share_link_public(session, link).model_dump(), openings=rows)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a share link to a published review")
def post_share_link(
    body: ShareLinkRequest, request: Request, session: SessionDep, principal: PrincipalDep
) -> ShareLinkIssued:
    """A read-only link to the newest published version of the review, for people without an account."""
    _staff(principal)
    get_visible_organization(session, principal, body.organization_id)
    created = create_share_link(session, body.organization_id, body.period, created_by=principal.name, days=body.days)
    public = share_link_public(session, created.link)
    url = share_url(request.app.state.settings.public_url, created.token)
    return ShareLinkIssued(**public.model_dump(), url=url)


@router.delete("/{link_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke a share link")
def delete_share_link(link_id: IdPath, session: SessionDep, principal: PrincipalDep) -> Response:
    _staff(principal)
    revoke_share_link(session, link_id, by=principal.name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
