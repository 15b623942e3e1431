"""``qbr connectors discover``: the vendor's companies/organizations/customers, what each is linked to, and a
suggested organization (by name) for those not linked yet."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.connectors.connector import ExternalEntity
from qbr.connectors.http import VendorClient
from qbr.connectors.registry import connector_for
from qbr.organizations.links import Suggestion, links_by_external_id, suggest_organization
from qbr.organizations.models import Organization


@dataclass(frozen=True)
class Discovered:
    entity: ExternalEntity
    linked_to: Organization | None
    suggestion: Suggestion | None


def external_entities(source: str, client: VendorClient) -> list[ExternalEntity]:
    """What can be linked in this vendor system."""
    return connector_for(source).external_entities(client)


def discover(session: Session, source: str, entities: list[ExternalEntity]) -> list[Discovered]:
    links = links_by_external_id(session, source)
    organizations = list(session.scalars(select(Organization).where(Organization.is_active)))
    by_id = {o.id: o for o in organizations}
    # Only organizations without a link to this source are worth suggesting.
    unlinked = [o for o in organizations if o.id not in set(links.values())]
    found = []
    for entity in sorted(entities, key=lambda e: e.name.casefold()):
        linked = by_id.get(links[entity.external_id]) if entity.external_id in links else None
        suggestion = None if linked else suggest_organization(entity.name, unlinked)
        found.append(Discovered(entity, linked, suggestion))
    return found
