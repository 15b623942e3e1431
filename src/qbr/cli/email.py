"""``qbr email``: SMTP settings, recipients, schedules, sending a review now, running what is due, and the log."""

from __future__ import annotations

import getpass
import uuid
from datetime import date, datetime

import click
from sqlalchemy import select

from qbr.cli.app import command_group
from qbr.core.database import get_engine, unit_of_work
from qbr.core.settings import get_settings
from qbr.email.config import KEYS, SECRET_KEYS, effective_values, store_smtp_settings, unset_smtp_settings
from qbr.email.models import EmailDelivery, EmailSchedule
from qbr.email.outbox import SendReport
from qbr.email.service import add_recipients, add_schedule, recipients_of, remove_recipient, run_due, send_now
from qbr.errors import InvalidInput, NotFound
from qbr.organizations.models import Organization
from qbr.organizations.service import find_organization

email_group = command_group("email", "E-mail each organization's QBR: SMTP settings, recipients, schedules, log.")
config_group = command_group("config", "The SMTP settings (database values win over QBR_SMTP_* variables).")
recipients_group = command_group("recipients", "Who receives an organization's QBR e-mail.")
schedule_group = command_group("schedule", "When QBR e-mails go out by themselves.")
for group in (config_group, recipients_group, schedule_group):
    email_group.add_command(group)


def _echo_report(report: SendReport) -> None:
    with unit_of_work(read_only=True) as session:
        for delivery_id in report.sent + report.retrying + report.failed:
            delivery = session.get(EmailDelivery, delivery_id)
            assert delivery is not None
            detail = f": {delivery.last_error}" if delivery.last_error else ""
            click.echo(f"{delivery.id:>5}  {delivery.status:<8} {delivery.recipient}{detail}")
    if report.failed:
        raise click.ClickException(f"{len(report.failed)} message(s) failed; see `qbr email log`")


@config_group.command("show")
def config_show() -> None:
    """Each SMTP setting and where it comes from; the password is never shown."""
    with unit_of_work(read_only=True) as session:
        for key, (value, origin) in effective_values(session, get_settings()).items():
            shown = ("(set)" if value else "(not set)") if key in SECRET_KEYS else (value or "(not set)")
            click.echo(f"{key:<10} {shown:<40} {origin}")


@config_group.command("set")
@click.argument("assignments", nargs=-1, required=True, metavar="KEY=VALUE…")
def config_set(assignments: tuple[str, ...]) -> None:
    """Store SMTP settings (keys: host, port, username, password, security, from); the password is encrypted."""
    values: dict[str, str] = {}
    for assignment in assignments:
        key, equals, value = assignment.partition("=")
        if not equals:
            raise InvalidInput.single(assignment, "is not KEY=VALUE", f"one of {', '.join(KEYS)}, e.g. port=587")
        values[key.strip()] = value
    with unit_of_work() as session:
        store_smtp_settings(session, get_settings(), values)
    click.echo(f"stored {', '.join(sorted(values))}")


@config_group.command("unset")
@click.argument("keys", nargs=-1, required=True)
def config_unset(keys: tuple[str, ...]) -> None:
    """Remove stored SMTP settings (the environment's values apply again)."""
    with unit_of_work() as session:
        unset_smtp_settings(session, list(keys))
    click.echo(f"removed {', '.join(keys)}")


@recipients_group.command("add")
@click.argument("organization", metavar="ORG")
@click.argument("addresses", nargs=-1, required=True, metavar="ADDRESS…")
def recipients_add(organization: str, addresses: tuple[str, ...]) -> None:
    """Add recipients of ORG's QBR e-mail."""
    with unit_of_work() as session:
        org = find_organization(session, organization)
        added = add_recipients(session, org.id, list(addresses))
    click.echo(f"{org.name} receives its QBR at {', '.join(added)}")


@recipients_group.command("list")
@click.argument("organization", metavar="[ORG]", required=False)
def recipients_list(organization: str | None) -> None:
    """Every organization's recipients, or ORG's."""
    with unit_of_work(read_only=True) as session:
        orgs = (
            [find_organization(session, organization)]
            if organization
            else list(session.scalars(select(Organization).order_by(Organization.name)))
        )
        for org in orgs:
            addresses = recipients_of(session, org.id)
            if addresses or organization:
                click.echo(f"{org.name}: {', '.join(addresses) or '(none)'}")


@recipients_group.command("remove")
@click.argument("organization", metavar="ORG")
@click.argument("address", metavar="ADDRESS")
def recipients_remove(organization: str, address: str) -> None:
    """Stop sending ORG's QBR to ADDRESS."""
    with unit_of_work() as session:
        org = find_organization(session, organization)
        remove_recipient(session, org.id, address.strip())
    click.echo(f"{address.strip()} no longer receives {org.name}'s QBR")


@schedule_group.command("add")
@click.option("--business-day", type=int, required=True, help="Send on the Nth business day after a quarter ends.")
@click.option("--org", "organization", help="Only this organization (default: every one with recipients).")
@click.option("--pdf/--no-pdf", "attach_pdf", default=None, help="Attach the PDF (default: QBR_EMAIL_ATTACH_PDF).")
@click.option("--link/--no-link", "include_link", default=None, help="Put the share link in the body.")
def schedule_add(
    business_day: int, organization: str | None, attach_pdf: bool | None, include_link: bool | None
) -> None:
    """Send each organization's newest published review on the Nth business day (Monday–Friday) after a quarter
    ends; `qbr serve` and `qbr email run-due` send what is due."""
    settings = get_settings()
    with unit_of_work() as session:
        org_id = find_organization(session, organization).id if organization else None
        schedule = add_schedule(
            session,
            business_day=business_day,
            organization_id=org_id,
            attach_pdf=settings.email_attach_pdf if attach_pdf is None else attach_pdf,
            include_link=settings.email_include_link if include_link is None else include_link,
        )
        click.echo(f"schedule {schedule.id}: business day {business_day} after each quarter ends")


@schedule_group.command("list")
def schedule_list() -> None:
    """Every schedule."""
    with unit_of_work(read_only=True) as session:
        for schedule in session.scalars(select(EmailSchedule).order_by(EmailSchedule.id)):
            org = session.get(Organization, schedule.organization_id) if schedule.organization_id else None
            parts = [p for p, on in (("PDF", schedule.attach_pdf), ("link", schedule.include_link)) if on]
            click.echo(
                f"{schedule.id:>4}  business day {schedule.business_day:<3} {org.name if org else 'every organization'}"
                f"  ({' + '.join(parts)}){'' if schedule.is_active else '  paused'}"
            )


@schedule_group.command("remove")
@click.argument("schedule_id", type=int)
def schedule_remove(schedule_id: int) -> None:
    """Stop a schedule (its deliveries stay in the log)."""
    with unit_of_work() as session:
        schedule = session.get(EmailSchedule, schedule_id)
        if schedule is None:
            raise NotFound(f"no e-mail schedule with id {schedule_id} (see `qbr email schedule list`)")
        schedule.is_active = False
    click.echo(f"schedule {schedule_id} stopped")


@email_group.command("send")
@click.argument("organization", metavar="ORG")
@click.argument("period", metavar="PERIOD")
@click.option(
    "--to", "to", multiple=True, metavar="ADDRESS", help="Send to these addresses instead of ORG's recipients."
)
@click.option("--pdf/--no-pdf", "attach_pdf", default=None, help="Attach the PDF (default: QBR_EMAIL_ATTACH_PDF).")
@click.option("--link/--no-link", "include_link", default=None, help="Put the share link in the body.")
def send_command(
    organization: str, period: str, to: tuple[str, ...], attach_pdf: bool | None, include_link: bool | None
) -> None:
    """Send ORG's QBR for PERIOD now, one message per recipient, each recorded in the log before it is sent."""
    settings = get_settings()
    with unit_of_work(read_only=True) as session:
        org = find_organization(session, organization)
    report = send_now(
        get_engine(),
        settings,
        organization_id=org.id,
        period=period,
        to=list(to),
        attach_pdf=settings.email_attach_pdf if attach_pdf is None else attach_pdf,
        include_link=settings.email_include_link if include_link is None else include_link,
        request_id=uuid.uuid4().hex,
        sent_by=getpass.getuser(),
    )
    _echo_report(report)


@email_group.command("run-due")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Act as if today were this date (YYYY-MM-DD).")
def run_due_command(today: datetime | None) -> None:
    """Record what the schedules ask for today, then send every due message (retries included). Safe to run
    again or from several places at once: each message is sent once."""
    day = today.date() if today is not None else date.today()
    run = run_due(get_engine(), get_settings(), day)
    for line in run.skipped:
        click.echo(f"skipped {line}")
    click.echo(
        f"{run.recorded} new message(s) recorded; sent {len(run.report.sent)}, "
        f"retrying {len(run.report.retrying)}, failed {len(run.report.failed)}"
    )
    _echo_report(run.report)


@email_group.command("log")
@click.option("--org", "organization", help="Only this organization.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
def log_command(organization: str | None, limit: int) -> None:
    """The delivery log, newest first: recipient, period, status, attempts and the last error."""
    with unit_of_work(read_only=True) as session:
        query = select(EmailDelivery, Organization.name).join(Organization)
        if organization:
            query = query.where(EmailDelivery.organization_id == find_organization(session, organization).id)
        rows = session.execute(query.order_by(EmailDelivery.id.desc()).limit(limit)).all()
        if not rows:
            click.echo("no e-mail has been recorded yet")
        for delivery, name in rows:
            when = f"{delivery.sent_at:%Y-%m-%d %H:%M}" if delivery.sent_at else ""
            click.echo(
                f"{delivery.id:>5}  {name}  {delivery.period}  {delivery.recipient}  {delivery.status}"
                f"  attempts {delivery.attempts}  {when}{'  ' + delivery.last_error if delivery.last_error else ''}"
            )
