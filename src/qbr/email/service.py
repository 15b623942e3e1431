"""Recipients, schedules, sending now and running what is due: the e-mail rules the CLI, pages and scheduler call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from email.headerregistry import Address
from email.utils import parseaddr

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from qbr.core.database import unit_of_work
from qbr.core.settings import Settings
from qbr.email.content import qbr_message_builder
from qbr.email.models import EmailDelivery, EmailRecipient, EmailSchedule
from qbr.email.outbox import SendReport, Transport, record_intents, send_due
from qbr.email.rules import due_quarter
from qbr.email.smtp import send_message
from qbr.errors import Conflict, InvalidInput, NotFound, Problem
from qbr.organizations.models import Organization
from qbr.periods.calendar import parse_period
from qbr.reviews.service import newest_published_version


def checked_address(text: str, *, location: str = "address") -> str:
    name, address = parseaddr(text.strip())
    if "@" not in address or " " in address or name:
        raise InvalidInput.single(location, f"{text!r} is not an e-mail address", "name@example.com")
    try:
        Address(addr_spec=address)
    except (ValueError, IndexError) as exc:
        raise InvalidInput.single(location, f"{text!r} is not an e-mail address ({exc})", "name@example.com") from exc
    return address


def add_recipients(session: Session, organization_id: int, addresses: list[str]) -> list[str]:
    problems: list[Problem] = []
    checked: list[str] = []
    for index, text in enumerate(addresses, start=1):
        try:
            checked.append(checked_address(text, location=f"address {index}"))
        except InvalidInput as error:
            problems.extend(error.problems)
    if problems:
        raise InvalidInput("no recipient was added", problems)
    existing = set(recipients_of(session, organization_id))
    for address in checked:
        if address not in existing:
            session.add(EmailRecipient(organization_id=organization_id, address=address))
            existing.add(address)
    session.flush()
    return checked


def recipients_of(session: Session, organization_id: int) -> list[str]:
    query = select(EmailRecipient.address).where(EmailRecipient.organization_id == organization_id)
    return list(session.scalars(query.order_by(EmailRecipient.address)))


def remove_recipient(session: Session, organization_id: int, address: str) -> None:
    row = session.scalar(
        select(EmailRecipient).where(
            EmailRecipient.organization_id == organization_id, EmailRecipient.address == address
        )
    )
    if row is None:
        raise NotFound(f"{address} is not a recipient of organization {organization_id}")
    session.delete(row)


def add_schedule(
    session: Session, *, business_day: int, organization_id: int | None, attach_pdf: bool, include_link: bool
) -> EmailSchedule:
    if not 1 <= business_day <= 20:
        raise InvalidInput.single("business day", f"{business_day} is out of range", "1 to 20")
    if not (attach_pdf or include_link):
        raise InvalidInput.single("schedule", "sends neither the PDF nor the link", "the PDF, the link, or both")
    schedule = EmailSchedule(
        business_day=business_day, organization_id=organization_id, attach_pdf=attach_pdf, include_link=include_link
    )
    session.add(schedule)
    session.flush()
    return schedule


def send_now(
    engine: Engine,
    settings: Settings,
    *,
    organization_id: int,
    period: str,
    to: list[str],
    attach_pdf: bool,
    include_link: bool,
    request_id: str,
    sent_by: str,
    transport: Transport = send_message,
) -> SendReport:
    """Record one message per recipient (the organization's recipients unless ``to`` names others), then send them."""
    ref = parse_period(period, location="PERIOD")
    with unit_of_work(engine) as session:
        recipients = [checked_address(a, location="--to") for a in to] or recipients_of(session, organization_id)
        if not recipients:
            raise Conflict(
                f"organization {organization_id} has no e-mail recipients: add some with "
                "`qbr email recipients add ORG ADDRESS…` or name them with --to"
            )
        version = newest_published_version(session, organization_id, ref.value)
        if version is None:
            raise Conflict(f"the review of {ref.value} has not been published yet: e-mail delivers published reviews")
        record_intents(
            session,
            settings,
            key_prefix=f"now:{request_id}",
            version=version,
            recipients=recipients,
            attach_pdf=attach_pdf,
            include_link=include_link,
            created_by=f"e-mail by {sent_by}",
        )
    with unit_of_work(engine, read_only=True) as session:
        ids = list(
            session.scalars(select(EmailDelivery.id).where(EmailDelivery.delivery_key.like(f"now:{request_id}:%")))
        )
    return send_due(engine, settings, qbr_message_builder(settings), only=ids, transport=transport)


@dataclass
class DueRun:
    recorded: int = 0
    skipped: list[str] = field(default_factory=list)  # organizations with nothing to deliver, and why
    report: SendReport = field(default_factory=SendReport)


def record_due(session: Session, settings: Settings, today: date, run: DueRun) -> None:
    """Record the intents of every schedule due on ``today``; intents recorded by an earlier run stay as they are."""
    for schedule in session.scalars(select(EmailSchedule).where(EmailSchedule.is_active).order_by(EmailSchedule.id)):
        quarter = due_quarter(today, schedule.business_day)
        if quarter is None:
            continue
        query = select(Organization).where(Organization.is_active, ~Organization.is_msp)
        if schedule.organization_id is not None:
            query = query.where(Organization.id == schedule.organization_id)
        for organization in session.scalars(query.order_by(Organization.id)):
            recipients = recipients_of(session, organization.id)
            if not recipients:
                continue
            # The review of the quarter that ended, as last published; one message per recipient and quarter.
            version = newest_published_version(session, organization.id, quarter.value)
            if version is None:
                run.skipped.append(f"{organization.name}: the review of {quarter.value} is not published yet")
                continue
            run.recorded += record_intents(
                session,
                settings,
                key_prefix=f"schedule:{schedule.id}:{organization.id}:{quarter.value}",
                version=version,
                created_by=f"e-mail schedule {schedule.id}",
                recipients=recipients,
                attach_pdf=schedule.attach_pdf,
                include_link=schedule.include_link,
                schedule_id=schedule.id,
            )


def run_due(engine: Engine, settings: Settings, today: date, *, transport: Transport = send_message) -> DueRun:
    """Record what the schedules ask for today, then send every due delivery (retries of earlier ones included)."""
    run = DueRun()
    with unit_of_work(engine) as session:
        record_due(session, settings, today, run)
    run.report = send_due(engine, settings, qbr_message_builder(settings), transport=transport)
    return run
