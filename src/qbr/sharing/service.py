"""Creating, finding, revoking and logging share links.

A token is 256 random bits (``secrets.token_urlsafe(32)``) shown once; only its SHA-256 is stored, so the table
alone opens nothing. A link for an e-mail gets a token derived from the message's Message-ID with an HMAC under
QBR_SECRET_KEY: a message resent after a crash carries the same link, and still only the hash is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.errors import InvalidInput, NotFound
from qbr.reviews.models import ReviewVersion
from qbr.reviews.reading import published_version
from qbr.sharing.models import ShareLink, ShareLinkOpening

DEFAULT_DAYS = 30
MAX_DAYS = 366


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def message_token(secret_key: str, message_id: str) -> str:
    digest = hmac.new(secret_key.encode(), f"share-link:{message_id}".encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(digest).decode().rstrip("=")


def share_url(public_url: str, token: str) -> str:
    return f"{public_url}/share/{token}"


@dataclass(frozen=True)
class CreatedLink:
    link: ShareLink
    token: str  # shown once, never stored


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def create_share_link(
    session: Session,
    organization_id: int,
    period: str,
    *,
    created_by: str,
    days: int = DEFAULT_DAYS,
    version: ReviewVersion | None = None,
    token: str | None = None,
) -> CreatedLink:
    """A link to the newest published version of ``period`` (or ``version``); refused while nothing is published."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput.single("days", f"{days} is out of range", f"1 to {MAX_DAYS}")
    version = version or published_version(session, organization_id, period, None)
    token = token or secrets.token_urlsafe(32)
    hashed = token_hash(token)
    existing = session.scalar(select(ShareLink).where(ShareLink.token_hash == hashed))
    if existing is not None:
        return CreatedLink(existing, token)
    link = ShareLink(
        organization_id=organization_id,
        review_version_id=version.id,
        token_hash=hashed,
        created_at=datetime.now(UTC),
        created_by=created_by,
        expires_at=datetime.now(UTC) + timedelta(days=days),
    )
    session.add(link)
    session.flush()
    return CreatedLink(link, token)


def open_share_link(session: Session, token: str) -> tuple[ShareLink, ReviewVersion] | None:
    """The live link of ``token`` and its version, or None (unknown, expired or revoked: all look the same)."""
    if not 20 <= len(token) <= 100:
        return None
    link = session.scalar(select(ShareLink).where(ShareLink.token_hash == token_hash(token)))
    if link is None or link.revoked_at is not None or _aware(link.expires_at) <= datetime.now(UTC):
        return None
    version = session.get(ReviewVersion, link.review_version_id)
    return (link, version) if version is not None else None


def record_opening(
    session: Session, link_id: int, *, what: str, client_address: str | None, user_agent: str | None
) -> None:
    session.add(
        ShareLinkOpening(
            share_link_id=link_id,
            opened_at=datetime.now(UTC),
            what=what,
            client_address=client_address,
            user_agent=(user_agent or "")[:500] or None,
        )
    )


def list_share_links(session: Session, organization_ids: list[int] | None = None) -> list[ShareLink]:
    query = select(ShareLink).order_by(ShareLink.id.desc())
    if organization_ids is not None:
        query = query.where(ShareLink.organization_id.in_(organization_ids))
    return list(session.scalars(query))


def openings(session: Session, link_id: int) -> list[ShareLinkOpening]:
    query = select(ShareLinkOpening).where(ShareLinkOpening.share_link_id == link_id)
    return list(session.scalars(query.order_by(ShareLinkOpening.id)))


def revoke_share_link(
    session: Session, link_id: int, *, by: str, organization_ids: list[int] | None = None
) -> ShareLink:
    link = session.get(ShareLink, link_id)
    if link is None or (organization_ids is not None and link.organization_id not in organization_ids):
        raise NotFound(f"no share link with id {link_id}")
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = datetime.now(UTC), by
    return link


def link_state(link: ShareLink) -> str:
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if _aware(link.expires_at) <= datetime.now(UTC) else "active"
