"""An organization's ids in the vendor systems (``organization_links``), which the connectors map records by."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.errors import Conflict, NotFound
from qbr.organizations.models import Organization, OrganizationLink


def add_link(
    session: Session, organization: Organization, source_system: str, external_id: str, external_name: str | None
) -> OrganizationLink:
    existing = session.scalar(
        select(OrganizationLink).where(
            OrganizationLink.source_system == source_system, OrganizationLink.external_id == external_id
        )
    )
    if existing is not None:
        # Say which organization only when it is this one: another may be outside the caller's scope.
        owner = "this organization" if existing.organization_id == organization.id else "another organization"
        raise Conflict(f"{source_system} id {external_id!r} is already linked to {owner}")
    link = OrganizationLink(
        organization_id=organization.id,
        source_system=source_system,
        external_id=external_id,
        external_name=external_name,
    )
    session.add(link)
    session.flush()
    return link


def remove_link(session: Session, organization: Organization, link_id: int) -> None:
    link = session.get(OrganizationLink, link_id)
    if link is None or link.organization_id != organization.id:
        raise NotFound(f"organization {organization.id} has no link with id {link_id}")
    session.delete(link)
    session.flush()
