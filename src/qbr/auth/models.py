"""Dashboard users, API keys, and the organizations a user or key is limited to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Index, String, Table, true
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


class UserSession(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored. Deleting the row ends the
    session everywhere at once: sign-out, disabling the user and a password change do so, in every worker."""

    __tablename__ = "user_sessions"

    id: Mapped[IntPk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[CreatedAt]
    # The session ends QBR_SESSION_HOURS after this (renewed by page loads, at most once a minute).
    last_seen_at: Mapped[datetime]


class AuthFailure(Base):
    """One failed sign-in or bad API key, under the key the failure limit counts it by (client, what it tried).

    Kept in the database so that every worker process and machine counts the same failures; rows older than the
    limit's window are deleted as new failures arrive."""

    __tablename__ = "auth_failures"
    __table_args__ = (Index("ix_auth_failures_failure_key_failed_at", "failure_key", "failed_at"),)

    id: Mapped[IntPk]
    failure_key: Mapped[str] = mapped_column(String(255))
    failed_at: Mapped[datetime] = mapped_column(index=True)


class RecentWrite(Base):
    """A client (an API key or a dashboard session) that changed something lately: until ``read_primary_until``
    its reads go to the primary database, never to a replica that may not have the change yet."""

    __tablename__ = "recent_writes"

    writer_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    read_primary_until: Mapped[datetime]
