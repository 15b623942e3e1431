"""Organization mapping: which organization an external company/organization/customer id belongs to, and name
matching to suggest links for ``qbr connectors discover``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qbr.errors import Conflict, InvalidInput, NotFound
from qbr.organizations.models import Organization, OrganizationLink

# Legal-form words that differ between systems ("Acme Corp" in the PSA, "Acme Corporation" in QuickBooks).
_NOISE = {
    "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company", "gmbh", "ag", "plc",
    "pty", "bv", "sa", "srl", "the", "and", "group",
}  # fmt: skip
SUGGESTION_THRESHOLD = 0.85


def link_organization(
    session: Session, organization: Organization, source: str, external_id: str, external_name: str | None = None
) -> OrganizationLink:
    """Link ``external_id`` of ``source`` to ``organization``; linking it again to the same one changes nothing.

    The one linking rule for the CLI and the API (where only unscoped admins link, so naming the organization that
    already holds an id reveals nothing they may not see).
    """
    external_id = external_id.strip()
    if not external_id:
        raise InvalidInput.single("EXTERNAL_ID", "is empty", f"the {source} id shown by `qbr connectors discover`")
    if len(external_id) > 100:
        raise InvalidInput.single("EXTERNAL_ID", "is longer than 100 characters", "a vendor id")
    existing = session.scalar(
        select(OrganizationLink).where(
            OrganizationLink.source_system == source, OrganizationLink.external_id == external_id
        )
    )
    if existing is not None:
        if existing.organization_id != organization.id:
            owner = session.get(Organization, existing.organization_id)
            raise Conflict(
                f"{source} id {external_id} is already linked to {owner.name if owner else existing.organization_id!r}"
                f"; unlink it first with `qbr unlink {source.lower()} {external_id}`"
            )
        if external_name and existing.external_name != external_name:
            existing.external_name = external_name[:200]
        return existing
    link = OrganizationLink(
        organization_id=organization.id,
        source_system=source,
        external_id=external_id,
        external_name=external_name[:200] if external_name else None,
    )
    session.add(link)
    session.flush()
    return link


def unlink(session: Session, source: str, external_id: str) -> None:
    result = session.execute(
        delete(OrganizationLink).where(
            OrganizationLink.source_system == source, OrganizationLink.external_id == external_id.strip()
        )
    )
    if not getattr(result, "rowcount", 0):
        raise NotFound(f"{source} id {external_id} is not linked to any organization")


def links_by_external_id(session: Session, source: str) -> dict[str, int]:
    """external id → organization id, for every link of ``source`` to an active organization."""
    rows = session.execute(
        select(OrganizationLink.external_id, OrganizationLink.organization_id)
        .join(Organization, Organization.id == OrganizationLink.organization_id)
        .where(OrganizationLink.source_system == source, Organization.is_active)
    )
    return {str(external_id): int(organization_id) for external_id, organization_id in rows}


def list_links(session: Session, source: str | None = None) -> list[tuple[OrganizationLink, Organization]]:
    query = select(OrganizationLink, Organization).join(
        Organization, Organization.id == OrganizationLink.organization_id
    )
    if source is not None:
        query = query.where(OrganizationLink.source_system == source)
    rows = session.execute(
        query.order_by(Organization.name, OrganizationLink.source_system, OrganizationLink.external_id)
    )
    return [(link, org) for link, org in rows]


def name_key(name: str) -> str:
    """A name reduced to what identifies it: lower case, no punctuation, no legal-form words."""
    words = re.findall(r"[a-z0-9]+", name.casefold().replace("&", " and "))
    kept = [w for w in words if w not in _NOISE]
    return " ".join(kept or words)


@dataclass(frozen=True)
class Suggestion:
    organization: Organization
    score: float  # 1.0: the same name once legal forms and punctuation are ignored


def suggest_organization(name: str, organizations: Iterable[Organization]) -> Suggestion | None:
    """The organization whose name best matches ``name``, if the match is close enough to propose."""
    key = name_key(name)
    best: Suggestion | None = None
    for organization in organizations:
        score = SequenceMatcher(None, key, name_key(organization.name)).ratio()
        if score >= SUGGESTION_THRESHOLD and (best is None or score > best.score):
            best = Suggestion(organization, score)
    return best


def remove_link(session: Session, organization: Organization, link_id: int) -> None:
    """Remove one link of ``organization`` by its id (the API's way; the CLI's is ``unlink``)."""
    link = session.get(OrganizationLink, link_id)
    if link is None or link.organization_id != organization.id:
        raise NotFound(f"organization {organization.id} has no link with id {link_id}")
    session.delete(link)
    session.flush()
