"""The outbox: intents are recorded first, then each is claimed, sent and marked, one committed step at a time.

What "exactly once" means here. SMTP has no way to ask a server whether it already took a message, so the one
window that cannot be closed is between the server's final "250 accepted" and our commit that marks the delivery
sent. Everything else is covered:
 * the intent (``pending``, with its Message-ID) is committed before anything is sent, so a crash never skips one;
 * a delivery is claimed (``sending``) by one conditional UPDATE, so two processes never send the same one;
 * a claim older than ``QBR_EMAIL_CLAIM_SECONDS`` belongs to a sender that died mid-send: it is resolved by sending
   again **with the same Message-ID** (logged as an ``interrupted`` attempt). We prefer a rare copy that mail
   systems can recognise by its Message-ID to a review that silently never arrives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import urlparse

from sqlalchemy import ColumnElement, Engine, and_, or_, select, update
from sqlalchemy.orm import Session

from qbr.core.database import unit_of_work
from qbr.core.dialect import dialect_insert
from qbr.core.settings import Settings
from qbr.email.config import SmtpConfig
from qbr.email.models import EmailAttempt, EmailDelivery
from qbr.email.smtp import PermanentFailure, SmtpError, TemporaryFailure, send_message
from qbr.errors import QbrError
from qbr.reviews.models import ReviewVersion
from qbr.sharing.service import create_share_link, message_token

logger = logging.getLogger("qbr.email")
Transport = Callable[[SmtpConfig, EmailMessage], None]
# Builds the message of one delivery (and the SMTP settings to send it with) in a read-only session.
MessageBuilder = Callable[[Session, EmailDelivery], tuple[SmtpConfig, EmailMessage]]


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def new_message_id(settings: Settings) -> str:
    return make_msgid(idstring="qbr", domain=urlparse(settings.public_url).hostname or "localhost")


def record_intents(
    session: Session,
    settings: Settings,
    *,
    key_prefix: str,
    version: ReviewVersion,
    recipients: list[str],
    attach_pdf: bool,
    include_link: bool,
    created_by: str,
    schedule_id: int | None = None,
) -> int:
    """Record one pending delivery of ``version`` per recipient (with its share link when the body carries one);
    an intent whose key exists already is left alone.

    Returns how many were new. Committed by the caller before anything is sent.
    """
    now = datetime.now(UTC)
    created = 0
    for recipient in recipients:
        message_id = new_message_id(settings)
        result = session.execute(
            dialect_insert(session, EmailDelivery)
            .values(
                delivery_key=f"{key_prefix}:{recipient.lower()}",
                message_id=message_id,
                organization_id=version.organization_id,
                period=version.period,
                review_version_id=version.id,
                schedule_id=schedule_id,
                recipient=recipient,
                attach_pdf=attach_pdf,
                include_link=include_link,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["delivery_key"])
            .returning(EmailDelivery.id)  # rowcount is not reliable for this statement on every driver
        )
        if result.all():
            created += 1
            if include_link:
                # The token is derived from the Message-ID, so every attempt at this message carries this link.
                token = message_token(settings.secret_key, message_id)
                create_share_link(
                    session,
                    version.organization_id,
                    version.period,
                    created_by=created_by,
                    version=version,
                    token=token,
                )
    return created


def _claimable(now: datetime, lease: timedelta) -> ColumnElement[bool]:
    return or_(
        and_(EmailDelivery.status == "pending", EmailDelivery.next_attempt_at <= now),
        and_(EmailDelivery.status == "sending", EmailDelivery.claimed_at < now - lease),
    )


def claim_next(session: Session, settings: Settings, only: list[int] | None = None) -> tuple[int, datetime] | None:
    """Claim one due delivery for this process (or None); a dead sender's claim is taken over and logged."""
    lease = timedelta(seconds=settings.email_claim_seconds)
    while True:
        now = datetime.now(UTC)
        query = select(EmailDelivery.id, EmailDelivery.status, EmailDelivery.claimed_at).where(_claimable(now, lease))
        if only is not None:
            query = query.where(EmailDelivery.id.in_(only))
        row = session.execute(query.order_by(EmailDelivery.id).limit(1)).first()
        if row is None:
            return None
        claimed = session.execute(
            update(EmailDelivery)
            .where(EmailDelivery.id == row.id, _claimable(now, lease))
            .values(status="sending", claimed_at=now)
        )
        if not getattr(claimed, "rowcount", 0):
            continue  # another process took it between the two statements
        if row.status == "sending":
            session.add(
                EmailAttempt(
                    delivery_id=row.id,
                    attempted_at=now,
                    outcome="interrupted",
                    error=f"the sender that claimed it at {row.claimed_at:%Y-%m-%d %H:%M:%S} UTC stopped before "
                    "recording the server's answer; sending again with the same Message-ID",
                )
            )
        return row.id, now


def _same_moment(stored: datetime | None, ours: datetime) -> bool:
    """Whether a stored claim time is ours (SQLite gives it back without its time zone, PostgreSQL with it)."""
    if stored is None:
        return False
    as_utc = stored.astimezone(UTC) if stored.tzinfo else stored.replace(tzinfo=UTC)
    return as_utc == ours


def mark(session: Session, settings: Settings, delivery_id: int, claimed_at: datetime, error: SmtpError | None) -> str:
    """Record the outcome of one attempt; returns the delivery's new status."""
    delivery = session.get(EmailDelivery, delivery_id)
    if delivery is None or delivery.status != "sending" or not _same_moment(delivery.claimed_at, claimed_at):
        return "lost"  # our claim expired and another sender took over: its outcome is the one that counts
    now = datetime.now(UTC)
    delivery.attempts += 1
    if error is None:
        delivery.status, delivery.sent_at, delivery.last_error, outcome = "sent", now, None, "sent"
    elif isinstance(error, TemporaryFailure) and delivery.attempts < settings.email_max_attempts:
        wait = settings.email_backoff_seconds * 2 ** (delivery.attempts - 1)
        delivery.status, delivery.next_attempt_at, outcome = "pending", now + timedelta(seconds=wait), "retry"
        delivery.last_error = (
            f"{error} (attempt {delivery.attempts} of {settings.email_max_attempts}; next in {wait:.0f} s)"
        )
    else:
        delivery.status, outcome = "failed", "failed"
        delivery.last_error = str(error)
    delivery.claimed_at = None
    session.add(EmailAttempt(delivery_id=delivery_id, attempted_at=now, outcome=outcome, error=delivery.last_error))
    return delivery.status


def send_due(
    engine: Engine,
    settings: Settings,
    build: MessageBuilder,
    *,
    only: list[int] | None = None,
    transport: Transport = send_message,
) -> SendReport:
    """Send every due delivery (or those of ``only``), each claimed, sent and marked in its own transactions."""
    report = SendReport()
    while True:
        with unit_of_work(engine) as session:
            claim = claim_next(session, settings, only)
        if claim is None:
            return report
        delivery_id, claimed_at = claim
        error: SmtpError | None = None
        try:
            with unit_of_work(engine, read_only=True) as session:
                delivery = session.get(EmailDelivery, delivery_id)
                assert delivery is not None
                config, message = build(session, delivery)
            transport(config, message)
        except SmtpError as exc:
            error = exc
        except QbrError as exc:
            # Missing SMTP settings, an unreadable logo…: nothing a retry in a minute would change.
            error = PermanentFailure(str(exc))
        with unit_of_work(engine) as session:
            status = mark(session, settings, delivery_id, claimed_at, error)
        logger.info("e-mail delivery %s: %s%s", delivery_id, status, f" ({error})" if error else "")
        {"sent": report.sent, "pending": report.retrying, "failed": report.failed}.get(status, []).append(delivery_id)
