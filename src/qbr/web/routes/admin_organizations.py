"""Administering organizations on pages: create, rename, deactivate and reactivate, mark the MSP, and the links to
the vendors' records with the discovery suggestions ``qbr connectors discover`` computes.

Admins limited to some organizations see and rename those; creating, retiring, marking the MSP and linking change
what every report shows, so they need an unscoped admin (linking names the organization that holds an id).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import func, select
from starlette.responses import RedirectResponse, Response

from qbr.api.deps import SessionDep
from qbr.connectors.registry import SOURCES, source_system
from qbr.core.principal import Principal
from qbr.errors import Conflict, InvalidInput, NotFound, QbrError
from qbr.organizations.links import link_organization, remove_link
from qbr.organizations.models import Organization, OrganizationLink
from qbr.organizations.service import create_organization, get_visible_organization, update_organization
from qbr.web.csrf import verify_csrf
from qbr.web.deps import PagePrincipal
from qbr.web.session import flash
from qbr.web.templating import render

router = APIRouter(prefix="/admin")
NAME_LENGTH = 200  # organizations.name is VARCHAR(200)
EXTERNAL_ID_LENGTH = 100
FORM_ERRORS = (InvalidInput, Conflict, NotFound)


def page_org_admin(principal: PagePrincipal) -> Principal:
    principal.require_role("admin")
    return principal


OrgAdmin = Annotated[Principal, Depends(page_org_admin)]
Name = Annotated[str, Form(max_length=NAME_LENGTH)]


def _back(request: Request, name: str, **params: int) -> RedirectResponse:
    return RedirectResponse(request.url_for(name, **params).path, status_code=303)


def _error(request: Request, error: QbrError) -> None:
    problems = error.problems if isinstance(error, InvalidInput) else []
    flash(request, "Nothing was saved: " + "; ".join(str(p) for p in problems) if problems else str(error), "error")


@router.get("/organizations", name="admin_organizations")
def organizations_page(request: Request, session: SessionDep, principal: OrgAdmin) -> Response:
    counts = session.execute(
        select(OrganizationLink.organization_id, func.count()).group_by(OrganizationLink.organization_id)
    )
    links: dict[int, int] = {row[0]: row[1] for row in counts}
    organizations = list(
        session.scalars(
            select(Organization)
            .where(principal.organization_filter(Organization.id))
            .order_by(Organization.is_active.desc(), Organization.name)
        )
    )
    context = {"nav": "admin", "organizations": organizations, "links": links}
    return render(request, "admin_organizations.html", context)


@router.post("/organizations", dependencies=[Depends(verify_csrf)])
def create(
    request: Request, session: SessionDep, principal: OrgAdmin, name: Name, is_msp: bool = Form(False)
) -> Response:
    principal.require_unscoped("admin", "creating an organization")
    try:
        with session.begin_nested():
            organization = create_organization(session, name, is_msp=is_msp)
    except FORM_ERRORS as error:
        _error(request, error)
        return _back(request, "admin_organizations")
    flash(request, f"{organization.name} was created. Link it to its records in your vendors' systems below.")
    return _back(request, "admin_organization", organization_id=organization.id)


@router.get("/organizations/{organization_id}", name="admin_organization")
def organization_page(request: Request, session: SessionDep, principal: OrgAdmin, organization_id: int) -> Response:
    organization = get_visible_organization(session, principal, organization_id)
    links = list(
        session.scalars(
            select(OrganizationLink)
            .where(OrganizationLink.organization_id == organization.id)
            .order_by(OrganizationLink.source_system, OrganizationLink.external_id)
        )
    )
    context = {"nav": "admin", "organization": organization, "links": links, "sources": SOURCES, "found": None}
    return render(request, "admin_organization.html", context)


@router.post("/organizations/{organization_id}/rename", dependencies=[Depends(verify_csrf)])
def rename(request: Request, session: SessionDep, principal: OrgAdmin, organization_id: int, name: Name) -> Response:
    organization = get_visible_organization(session, principal, organization_id)
    before = organization.name
    try:
        with session.begin_nested():
            update_organization(session, organization, name=name)
    except FORM_ERRORS as error:
        _error(request, error)
    else:
        flash(request, f"{before} is now called {organization.name}; its history is kept.")
    return _back(request, "admin_organization", organization_id=organization_id)


@router.post("/organizations/{organization_id}/active", dependencies=[Depends(verify_csrf)])
def set_active(
    request: Request, session: SessionDep, principal: OrgAdmin, organization_id: int, active: bool = Form()
) -> Response:
    organization = get_visible_organization(session, principal, organization_id)
    principal.require_unscoped("admin", "deactivating or reactivating an organization")
    update_organization(session, organization, is_active=active)
    if active:
        flash(request, f"{organization.name} is active again and back on the overview.")
    else:
        flash(request, f"{organization.name} is deactivated: it leaves the overview and syncs; its history is kept.")
    return _back(request, "admin_organizations")


@router.post("/organizations/{organization_id}/msp", dependencies=[Depends(verify_csrf)])
def mark_msp(request: Request, session: SessionDep, principal: OrgAdmin, organization_id: int) -> Response:
    organization = get_visible_organization(session, principal, organization_id)
    principal.require_unscoped("admin", "marking the MSP's own organization")
    try:
        with session.begin_nested():
            update_organization(session, organization, is_msp=True)
    except FORM_ERRORS as error:
        _error(request, error)
    else:
        flash(request, f"{organization.name} is now the MSP's own organization (Our SmartNumbers).")
    return _back(request, "admin_organizations")


@router.post("/organizations/{organization_id}/links", dependencies=[Depends(verify_csrf)])
def add_link(
    request: Request,
    session: SessionDep,
    principal: OrgAdmin,
    organization_id: int,
    source: Annotated[str, Form(max_length=20)],
    external_id: Annotated[str, Form(max_length=EXTERNAL_ID_LENGTH)],
    external_name: Annotated[str, Form(max_length=NAME_LENGTH)] = "",
) -> Response:
    organization = get_visible_organization(session, principal, organization_id)
    principal.require_unscoped("admin", "linking an organization")
    try:
        with session.begin_nested():
            name = source_system(source)
            link_organization(session, organization, name, external_id, external_name.strip() or None)
    except FORM_ERRORS as error:
        _error(request, error)
    else:
        flash(request, f"{organization.name} is linked to {name} record {external_id.strip()}.")
    return _back(request, "admin_organization", organization_id=organization_id)


@router.post("/organizations/{organization_id}/links/{link_id}/delete", dependencies=[Depends(verify_csrf)])
def delete_link(
    request: Request, session: SessionDep, principal: OrgAdmin, organization_id: int, link_id: int
) -> Response:
    organization = get_visible_organization(session, principal, organization_id)
    principal.require_unscoped("admin", "unlinking an organization")
    remove_link(session, organization, link_id)
    flash(request, "The link was removed; data already synced stays.")
    return _back(request, "admin_organization", organization_id=organization_id)


@router.post("/organizations/{organization_id}/discover", dependencies=[Depends(verify_csrf)])
def discover_records(
    request: Request,
    session: SessionDep,
    principal: OrgAdmin,
    organization_id: int,
    source: Annotated[str, Form(max_length=20)],
) -> Response:
    """The vendor's records with the organization each is linked to or suggested for (`qbr connectors discover`)."""
    organization = get_visible_organization(session, principal, organization_id)
    principal.require_unscoped("admin", "linking an organization")
    # Imported here: the vendor clients are only needed when someone asks a vendor.
    from qbr.web.discovery import discover_for_page

    found, problem = discover_for_page(session, request.app.state.engine, source_system(source))
    links = list(session.scalars(select(OrganizationLink).where(OrganizationLink.organization_id == organization.id)))
    context = {
        "nav": "admin",
        "organization": organization,
        "links": links,
        "sources": SOURCES,
        "found": found,
        "discover_problem": problem,
        "discovered_source": source_system(source),
    }
    return render(request, "admin_organization.html", context)
