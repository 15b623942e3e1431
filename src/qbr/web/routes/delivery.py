"""An organization's delivery page (the MSP's editors): share links with their openings, the e-mail recipients,
and the e-mail delivery log with each failure's reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from qbr.api.deps import SessionDep
from qbr.core.principal import Principal
from qbr.email.models import EmailDelivery
from qbr.email.service import add_recipients, recipients_of, remove_recipient
from qbr.errors import InvalidInput, NotFound
from qbr.organizations.models import Organization
from qbr.organizations.service import get_visible_organization
from qbr.reviews.models import ReviewVersion
from qbr.sharing.service import (
    DEFAULT_DAYS,
    MAX_DAYS,
    create_share_link,
    link_state,
    list_share_links,
    openings,
    revoke_share_link,
    share_url,
)
from qbr.web.csrf import verify_csrf
from qbr.web.deps import PagePrincipal
from qbr.web.session import flash
from qbr.web.templating import render

router = APIRouter()
LOG_ROWS = 50


def _staff_organization(session: Session, principal: Principal, organization_id: int) -> Organization:
    organization = get_visible_organization(session, principal, organization_id)
    principal.require_unscoped("editor", "delivering reviews")
    return organization


def _page(
    request: Request,
    session: Session,
    organization: Organization,
    *,
    new_link: str | None = None,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    links = []
    for link in list_share_links(session, [organization.id]):
        version = session.get(ReviewVersion, link.review_version_id)
        links.append(
            {"link": link, "version": version, "state": link_state(link), "openings": openings(session, link.id)}
        )
    log = session.scalars(
        select(EmailDelivery)
        .where(EmailDelivery.organization_id == organization.id)
        .order_by(EmailDelivery.id.desc())
        .limit(LOG_ROWS)
    )
    periods = session.scalars(
        select(ReviewVersion.period).where(ReviewVersion.organization_id == organization.id).distinct()
    )
    context = {
        "nav": "overview",
        "organization": organization,
        "links": links,
        "log": list(log),
        "recipients": recipients_of(session, organization.id),
        "published_periods": sorted(periods, reverse=True),
        "new_link": new_link,
        "problems": problems or [],
        "default_days": DEFAULT_DAYS,
        "max_days": MAX_DAYS,
    }
    return render(request, "delivery.html", context, status_code=status_code)


@router.get("/organizations/{organization_id}/delivery", name="delivery")
def delivery_page(organization_id: int, request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    return _page(request, session, _staff_organization(session, principal, organization_id))


@router.post(
    "/organizations/{organization_id}/share-links", name="share_link_create", dependencies=[Depends(verify_csrf)]
)
def create_link(
    organization_id: int,
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    period: Annotated[str, Form(max_length=10)],
    days: Annotated[int, Form(ge=1, le=MAX_DAYS)] = DEFAULT_DAYS,
) -> Response:
    organization = _staff_organization(session, principal, organization_id)
    try:
        with session.begin_nested():
            created = create_share_link(session, organization.id, period, created_by=principal.name, days=days)
    except (InvalidInput, NotFound) as error:
        return _page(request, session, organization, problems=[str(error)], status_code=422)
    # Shown on this answer only: the token is not stored, so it cannot be shown again.
    url = share_url(request.app.state.settings.public_url, created.token)
    return _page(request, session, organization, new_link=url)


@router.post(
    "/organizations/{organization_id}/share-links/{link_id}/revoke",
    name="share_link_revoke",
    dependencies=[Depends(verify_csrf)],
)
def revoke_link(
    organization_id: int, link_id: int, request: Request, session: SessionDep, principal: PagePrincipal
) -> Response:
    organization = _staff_organization(session, principal, organization_id)
    revoke_share_link(session, link_id, by=principal.name, organization_ids=[organization.id])
    flash(request, f"Share link {link_id} revoked: it answers “not available” from now on.")
    return RedirectResponse(request.url_for("delivery", organization_id=organization.id).path, status_code=303)


@router.post(
    "/organizations/{organization_id}/email-recipients", name="email_recipients", dependencies=[Depends(verify_csrf)]
)
def change_recipients(
    organization_id: int,
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    address: Annotated[str, Form(max_length=320)],
    action: Annotated[str, Form(pattern="^(add|remove)$")] = "add",
) -> Response:
    organization = _staff_organization(session, principal, organization_id)
    try:
        with session.begin_nested():
            if action == "add":
                add_recipients(session, organization.id, [address])
            else:
                remove_recipient(session, organization.id, address.strip())
    except (InvalidInput, NotFound) as error:
        return _page(request, session, organization, problems=[str(error)], status_code=422)
    flash(request, f"{address.strip()} {'added' if action == 'add' else 'removed'}.")
    return RedirectResponse(request.url_for("delivery", organization_id=organization.id).path, status_code=303)
