"""Finding and creating organizations; every command that takes an organization accepts its name or its id."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbr.errors import Conflict, InvalidInput, NotFound
from qbr.organizations.models import Organization

SOURCE_SYSTEMS = ("ConnectWise", "NinjaOne", "QuickBooks")


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
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput.single("name", "is empty", "1 to 200 characters")
    if len(cleaned) > 200:
        raise InvalidInput.single("name", f"is {len(cleaned)} characters long", "at most 200 characters")
    if cleaned.isdigit():
        raise InvalidInput.single("name", f"{cleaned!r} is all digits", "a name with at least one non-digit")
    clash = session.scalar(select(Organization).where(func.lower(Organization.name) == cleaned.lower()))
    if clash is not None:
        raise Conflict(f"organization {clash.name!r} already exists (id {clash.id})")
    if is_msp:
        msp = session.scalar(select(Organization).where(Organization.is_msp))
        if msp is not None:
            raise Conflict(f"{msp.name!r} (id {msp.id}) is already the MSP's own organization")
    organization = Organization(name=cleaned, is_msp=is_msp, is_active=True)
    session.add(organization)
    session.flush()
    return organization


def list_organizations(session: Session) -> list[Organization]:
    return list(session.scalars(select(Organization).order_by(Organization.name)))
