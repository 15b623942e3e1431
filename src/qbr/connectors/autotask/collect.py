"""Autotask PSA → monthly metrics (reference/METRICS.md), ConnectWise's where Autotask has the data: reactive
tickets created and closed, reactive hours, SLA, and managed-services contracts active at month end and new.

Reactive tickets are the tickets of the configured reactive queues (every queue when none is set). Filters are sent
to Autotask and every record is checked again here, so the month is exactly the business-time month. New and lost
MRR are not written: a contract's recurring price lives in its services' units, which this connector does not read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from qbr.connectors.autotask.client import AutotaskClient, Filter, between
from qbr.connectors.autotask.records import AutotaskTicket
from qbr.connectors.collect import Collected, SyncContext, Tally
from qbr.sources import AUTOTASK

CREATED = "Reactive Tickets Created"
CLOSED = "Reactive Tickets Closed"
HOURS = "Reactive Hours"
MET_SLA = "Tickets Met SLA"
WITH_SLA = "Tickets With SLA"
AGREEMENTS = "Managed Services Agreements"
NEW_AGREEMENTS = "New Agreements"
METRICS = (CREATED, CLOSED, HOURS, MET_SLA, WITH_SLA, AGREEMENTS, NEW_AGREEMENTS)


def collect_autotask(client: AutotaskClient, context: SyncContext) -> Collected:
    window, settings = context.window, context.settings
    collected = Collected(AUTOTASK, window.period)
    tally = Tally(context, collected, METRICS)
    names = {str(c.id): c.company_name for c in client.companies()}  # tickets and contracts carry only the id
    queues = [int(q) for q in settings.words("reactive_queue_ids")]
    closed_statuses = [int(s) for s in settings.words("closed_status_ids")]
    start, end = _iso(window.start), _iso(window.end)
    in_queues: list[Filter] = [{"op": "in", "field": "queueID", "value": queues}] if queues else []

    def reactive(ticket: AutotaskTicket) -> bool:
        return not queues or ticket.queue_id in queues

    for ticket in client.tickets(between("createDate", start, end) + in_queues):
        if reactive(ticket) and window.contains(ticket.create_date):
            _count(tally, ticket, CREATED)
    closed_filter: Filter = {"op": "in", "field": "status", "value": closed_statuses}
    for ticket in client.tickets([*between("completedDate", start, end), closed_filter, *in_queues]):
        if reactive(ticket) and ticket.status in closed_statuses and window.contains(ticket.completed_date):
            _count(tally, ticket, CLOSED)
            if (
                ticket.service_level_agreement_id is not None
                and ticket.service_level_agreement_has_been_met is not None
            ):
                tally.add(_company(ticket), WITH_SLA)
                if ticket.service_level_agreement_has_been_met:
                    tally.add(_company(ticket), MET_SLA)

    # dateWorked is a calendar day (midnight, no zone): the month's days, not its instants.
    days = between("dateWorked", f"{window.first_day}T00:00:00Z", f"{window.last_day + timedelta(days=1)}T00:00:00Z")
    entries = [
        e
        for e in client.time_entries([*days, {"op": "exist", "field": "ticketID"}])
        if e.ticket_id is not None and window.contains_day(e.date_worked)
    ]
    tickets = {t.id: t for t in client.tickets_by_id(e.ticket_id for e in entries if e.ticket_id is not None)}
    for entry in entries:
        worked_on = tickets.get(entry.ticket_id or 0)
        if worked_on is not None and reactive(worked_on):
            _count(tally, worked_on, HOURS, entry.hours_worked)
    _contracts(client, context, tally, end)
    for unmapped in collected.unmapped.values():
        unmapped.name = unmapped.name or names.get(unmapped.external_id, "")
    return tally.finish()


def _contracts(client: AutotaskClient, context: SyncContext, tally: Tally, end: str) -> None:
    window = context.window
    types = [int(t) for t in context.settings.words("contract_types")]
    filters: list[Filter] = [{"op": "lt", "field": "startDate", "value": end}]
    if types:
        filters.append({"op": "in", "field": "contractType", "value": types})
    for contract in client.contracts(filters):
        if (types and contract.contract_type not in types) or contract.start_date is None:
            continue
        started = window.local_date(contract.start_date)
        ended = window.local_date(contract.end_date) if contract.end_date else None
        if started > window.last_day:
            continue
        company = str(contract.company_id) if contract.company_id is not None else None
        counted = False
        if ended is None or ended > window.last_day:
            tally.add(company, AGREEMENTS)
            counted = True
        if window.first_day <= started <= window.last_day:
            tally.add(company, NEW_AGREEMENTS)
            counted = True
        if counted:
            tally.unmapped(company, None, "company")


def _count(tally: Tally, ticket: AutotaskTicket, metric: str, amount: Decimal | int = 1) -> None:
    tally.add(_company(ticket), metric, amount)
    tally.unmapped(_company(ticket), None, "company")


def _company(ticket: AutotaskTicket) -> str | None:
    return str(ticket.company_id) if ticket.company_id is not None else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
