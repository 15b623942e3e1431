"""Share links (the token only as its SHA-256 hash) and every opening of one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from qbr.core.orm import Base, CreatedAt, IntPk


class ShareLink(Base):
    __tablename__ = "share_links"

    id: Mapped[IntPk]
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    review_version_id: Mapped[int] = mapped_column(ForeignKey("review_versions.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[CreatedAt]
    created_by: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(100))


class ShareLinkOpening(Base):
    __tablename__ = "share_link_openings"

    id: Mapped[IntPk]
    share_link_id: Mapped[int] = mapped_column(ForeignKey("share_links.id"), index=True)
    opened_at: Mapped[datetime]
    what: Mapped[str] = mapped_column(String(10))  # page or pdf
    client_address: Mapped[str | None] = mapped_column(String(100))
    user_agent: Mapped[str | None] = mapped_column(String(500))
