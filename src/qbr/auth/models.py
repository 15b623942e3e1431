"""Dashboard users, API keys, and the organizations a user or key is limited to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, String, Table, true
from sqlalchemy.orm import Mapped, mapped_column

from qbr.core.orm import Base, CreatedAt, IntPk

ROLES = ("admin", "editor", "viewer")
_ROLE_CHECK = "role IN ('admin', 'editor', 'viewer')"

# A user or key with no rows here sees every organization; with rows, only those.
user_organizations = Table(
    "user_organizations",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organizations.id"), primary_key=True),
)
api_key_organizations = Table(
    "api_key_organizations",
    Base.metadata,
    Column("api_key_id", ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organizations.id"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_ROLE_CHECK, name="role"),)

    id: Mapped[IntPk]
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id
    role: Mapped[str] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    created_at: Mapped[CreatedAt]
    last_login_at: Mapped[datetime | None]


class ApiKey(Base):
    """An API key; only a hash of the secret is stored, the key itself is shown once at creation."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint(_ROLE_CHECK, name="role"),)

    id: Mapped[IntPk]
    name: Mapped[str] = mapped_column(String(100))
    # The public start of the key, to find its row without scanning every hash.
    key_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[CreatedAt]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
