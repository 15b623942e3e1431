"""``/organizations``: the MSP's client organizations (and the MSP itself) and their vendor links."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import func, select

from qbr.api.deps import AdminDep, ListingDep, PrincipalDep, SessionDep
from qbr.api.filters import equal_if_given
from qbr.api.listing import CSV_RESPONSE, ListEnvelope
from qbr.api.params import IdPath
from qbr.core.schema import Name200
from qbr.organizations.links import link_organization, remove_link
from qbr.organizations.models import Organization, OrganizationLink
from qbr.organizations.schemas import (
    OrganizationCreate,
    OrganizationLinkCreate,
    OrganizationLinkPublic,
    OrganizationPublic,
    OrganizationUpdate,
)
from qbr.organizations.service import create_organization, get_visible_organization, update_organization

router = APIRouter(prefix="/organizations", tags=["organizations"])


@router.get("", response_model=ListEnvelope[OrganizationPublic], responses=CSV_RESPONSE, summary="List organizations")
def list_organizations(
    listing: ListingDep,
    name: Annotated[Name200 | None, Query(description="Names containing this text (any case).")] = None,
    is_active: bool | None = None,
    is_msp: bool | None = None,
) -> object:
    query = (
        select(Organization).where(listing.principal.organization_filter(Organization.id)).order_by(Organization.name)
    )
    if name is not None:
        query = query.where(func.lower(Organization.name).contains(name.lower(), autoescape=True))
    query = equal_if_given(query, is_active=is_active, is_msp=is_msp)
    return listing.page(query, OrganizationPublic, "organizations")


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an organization")
def create(
    body: OrganizationCreate, session: SessionDep, principal: AdminDep, response: Response
) -> OrganizationPublic:
    principal.require_unscoped("admin", "creating an organization")
    organization = create_organization(session, body.name, is_msp=body.is_msp)
    response.headers["Location"] = f"{router.prefix}/{organization.id}"
    return OrganizationPublic.model_validate(organization)


@router.get("/{organization_id}", summary="Get an organization")
def get(organization_id: IdPath, session: SessionDep, principal: PrincipalDep) -> OrganizationPublic:
    return OrganizationPublic.model_validate(get_visible_organization(session, principal, organization_id))


@router.patch("/{organization_id}", summary="Change an organization")
def update(
    organization_id: IdPath, body: OrganizationUpdate, session: SessionDep, principal: AdminDep
) -> OrganizationPublic:
    organization = get_visible_organization(session, principal, organization_id)
    principal.require_unscoped("admin", "changing an organization")
    update_organization(session, organization, name=body.name, is_active=body.is_active, is_msp=body.is_msp)
    return OrganizationPublic.model_validate(organization)


@router.get(
    "/{organization_id}/links",
    response_model=ListEnvelope[OrganizationLinkPublic],
    responses=CSV_RESPONSE,
    summary="List an organization's vendor links",
)
def list_links(organization_id: IdPath, listing: ListingDep) -> object:
    get_visible_organization(listing.session, listing.principal, organization_id)
    query = (
        select(OrganizationLink)
        .where(OrganizationLink.organization_id == organization_id)
        .order_by(OrganizationLink.source_system, OrganizationLink.external_id)
    )
    return listing.page(query, OrganizationLinkPublic, f"organization-{organization_id}-links")


@router.post(
    "/{organization_id}/links", status_code=status.HTTP_201_CREATED, summary="Link a vendor record to an organization"
)
def create_link(
    organization_id: IdPath, body: OrganizationLinkCreate, session: SessionDep, principal: AdminDep
) -> OrganizationLinkPublic:
    organization = get_visible_organization(session, principal, organization_id)
    principal.require_unscoped("admin", "linking vendor records")
    link = link_organization(session, organization, body.source_system, body.external_id, body.external_name)
    return OrganizationLinkPublic.model_validate(link)


@router.delete(
    "/{organization_id}/links/{link_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a vendor link"
)
def delete_link(organization_id: IdPath, link_id: IdPath, session: SessionDep, principal: AdminDep) -> None:
    organization = get_visible_organization(session, principal, organization_id)
    principal.require_unscoped("admin", "unlinking vendor records")
    remove_link(session, organization, link_id)
