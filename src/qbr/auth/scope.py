"""Reading and writing the organizations an API key or a user is limited to (no rows: every organization)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from qbr.auth.models import api_key_organizations, user_organizations
from qbr.errors import InvalidInput
from qbr.organizations.models import Organization

# (association table, name of its owner column)
KEY_SCOPE = (api_key_organizations, "api_key_id")
USER_SCOPE = (user_organizations, "user_id")


def check_organizations_exist(session: Session, organization_ids: Iterable[int], location: str) -> list[int]:
    wanted = sorted(set(organization_ids))
    if not wanted:
        return []
    found = set(session.scalars(select(Organization.id).where(Organization.id.in_(wanted))))
    missing = [org_id for org_id in wanted if org_id not in found]
    if missing:
        raise InvalidInput.single(
            location, f"no organization with id {', '.join(map(str, missing))}", "ids of existing organizations"
        )
    return wanted


def set_scope(session: Session, scope: tuple[Table, str], owner_id: int, organization_ids: Sequence[int]) -> None:
    table, owner_column = scope
    session.execute(delete(table).where(table.c[owner_column] == owner_id))
    if organization_ids:
        session.execute(
            insert(table), [{owner_column: owner_id, "organization_id": org_id} for org_id in organization_ids]
        )


def load_scope(session: Session, scope: tuple[Table, str], owner_id: int) -> frozenset[int] | None:
    """The organizations ``owner_id`` is limited to, or None when it is not limited."""
    table, owner_column = scope
    ids = frozenset(session.scalars(select(table.c.organization_id).where(table.c[owner_column] == owner_id)))
    return ids or None


def load_scopes(session: Session, scope: tuple[Table, str], owner_ids: Sequence[int]) -> dict[int, list[int]]:
    """Scopes of many owners in one query: owner id -> sorted organization ids (absent: not limited)."""
    table, owner_column = scope
    result: dict[int, list[int]] = {}
    if not owner_ids:
        return result
    rows = session.execute(
        select(table.c[owner_column], table.c.organization_id)
        .where(table.c[owner_column].in_(list(owner_ids)))
        .order_by(table.c[owner_column], table.c.organization_id)
    )
    for owner_id, organization_id in rows:
        result.setdefault(owner_id, []).append(organization_id)
    return result
