"""E-mail tables: stored SMTP settings, recipients, schedules, deliveries (one per message) and their attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from qbr.core.orm import Base, CreatedAt, IntPk

DELIVERY_STATUSES = ("pending", "sending", "sent", "failed")


class EmailSetting(Base):
    """One SMTP setting stored in the database (it wins over the environment); the password is encrypted."""

    __tablename__ = "email_settings"

    id: Mapped[IntPk]
    setting_key: Mapped[str] = mapped_column(String(100), unique=True)
    setting_value: Mapped[str] = mapped_column(Text)
    is_secret: Mapped[bool] = mapped_column(Boolean, server_default=false())
    updated_at: Mapped[datetime]


class EmailRecipient(Base):
    """An address that receives an organization's QBR e-mail."""

    __tablename__ = "email_recipients"
    __table_args__ = (UniqueConstraint("organization_id", "address"),)

    id: Mapped[IntPk]
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    address: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[CreatedAt]


class EmailSchedule(Base):
    """Send each organization's newest published review on the Nth business day after a quarter ends."""

    __tablename__ = "email_schedules"
    __table_args__ = (CheckConstraint("business_day BETWEEN 1 AND 20", name="business_day"),)

    id: Mapped[IntPk]
    # NULL: every organization that has recipients.
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    business_day: Mapped[int] = mapped_column(Integer)
    attach_pdf: Mapped[bool] = mapped_column(Boolean, server_default=true())
    include_link: Mapped[bool] = mapped_column(Boolean, server_default=true())
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    created_at: Mapped[CreatedAt]


class EmailDelivery(Base):
    """One message to one recipient: recorded (``pending``) before anything is sent, so a crash never loses it.

    ``delivery_key`` makes the intent unique (a schedule's run for an organization, period and recipient is one
    message however often it runs); ``message_id`` is the Message-ID header, the same on every attempt.
    """

    __tablename__ = "email_deliveries"
    __table_args__ = (CheckConstraint(f"status IN {DELIVERY_STATUSES!r}", name="status"),)

    id: Mapped[IntPk]
    delivery_key: Mapped[str] = mapped_column(String(500), unique=True)
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    # The published version this message delivers, fixed when the intent is recorded.
    review_version_id: Mapped[int] = mapped_column(ForeignKey("review_versions.id"))
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("email_schedules.id"))
    recipient: Mapped[str] = mapped_column(String(320))
    attach_pdf: Mapped[bool] = mapped_column(Boolean)
    include_link: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime]
    # When a sender took it (status ``sending``); an old claim means that sender died mid-send.
    claimed_at: Mapped[datetime | None]
    created_at: Mapped[CreatedAt]
    sent_at: Mapped[datetime | None]


class EmailAttempt(Base):
    """Every try at sending one delivery, with the SMTP server's answer."""

    __tablename__ = "email_attempts"
    __table_args__ = (CheckConstraint("outcome IN ('sent', 'retry', 'failed', 'interrupted')", name="outcome"),)

    id: Mapped[IntPk]
    delivery_id: Mapped[int] = mapped_column(ForeignKey("email_deliveries.id"), index=True)
    attempted_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
