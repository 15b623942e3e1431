"""Finding and creating organizations; every command that takes an organization accepts its name or its id."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbr.core.principal import Principal
from qbr.core.text import NAME_ACCEPTED, hidden_character_problem, mixed_script_problem, normalized_name
from qbr.errors import Conflict, InvalidInput, NotFound
from qbr.organizations.models import Organization


def find_organization(session: Session, name_or_id: str | int) -> Organization:
    """The organization with this id, or else this exact (case-insensitive) name."""
    text = str(name_or_id).strip()
    if not text:
        raise InvalidInput.single("organization", "is empty", "an organization name or numeric id")
    if text.isdigit():
        found = session.get(Organization, int(text))
        if found is not None:
            return found
    found = session.scalar(select(Organization).where(func.lower(Organization.name) == text.lower()))
    if found is None:
        raise NotFound(f"no organization named or numbered {text!r} (see `qbr orgs list`)")
    return found


def create_organization(session: Session, name: str, *, is_msp: bool = False) -> Organization:
    cleaned = _clean_name(session, name)
    if is_msp:
        _check_no_other_msp(session)
    organization = Organization(name=cleaned, is_msp=is_msp, is_active=True)
    session.add(organization)
    session.flush()
    return organization


def update_organization(
    session: Session,
    organization: Organization,
    *,
    name: str | None = None,
    is_active: bool | None = None,
    is_msp: bool | None = None,
) -> Organization:
    """Change what is given; a rename keeps every stored value (they refer to the id)."""
    if name is not None:
        organization.name = _clean_name(session, name, keep=organization)
    if is_msp and not organization.is_msp:
        _check_no_other_msp(session)
    if is_msp is not None:
        organization.is_msp = is_msp
    if is_active is not None:
        organization.is_active = is_active
    session.flush()
    return organization


def _clean_name(session: Session, name: str, *, keep: Organization | None = None) -> str:
    # NFKC first, so "Ａｃｍｅ" is "Acme" (and clashes with it); then the text rule every name follows.
    cleaned = normalized_name(name)
    problem = hidden_character_problem(cleaned) or mixed_script_problem(cleaned)
    if problem is not None:
        accepted = f"{NAME_ACCEPTED}, and letters of one of the Latin, Cyrillic or Greek scripts"
        raise InvalidInput.single("name", f"{name!r} {problem}", accepted)
    if not cleaned:
        raise InvalidInput.single("name", "is empty", "1 to 200 characters")
    if len(cleaned) > 200:
        raise InvalidInput.single("name", f"is {len(cleaned)} characters long", "at most 200 characters")
    if cleaned.isdigit():
        raise InvalidInput.single("name", f"{cleaned!r} is all digits", "a name with at least one non-digit")
    clash = session.scalar(select(Organization).where(func.lower(Organization.name) == cleaned.lower()))
    if clash is not None and clash is not keep:
        raise Conflict(f"organization {clash.name!r} already exists (id {clash.id})")
    return cleaned


def _check_no_other_msp(session: Session) -> None:
    msp = session.scalar(select(Organization).where(Organization.is_msp))
    if msp is not None:
        raise Conflict(f"{msp.name!r} (id {msp.id}) is already the MSP's own organization")


def list_organizations(session: Session) -> list[Organization]:
    return list(session.scalars(select(Organization).order_by(Organization.name)))


def get_visible_organization(session: Session, principal: Principal, organization_id: int) -> Organization:
    """The organization, if it exists and ``principal`` may see it; otherwise NotFound (never a hint it exists)."""
    organization = session.get(Organization, organization_id) if principal.can_see(organization_id) else None
    if organization is None:
        raise NotFound(f"no organization with id {organization_id}")
    return organization
