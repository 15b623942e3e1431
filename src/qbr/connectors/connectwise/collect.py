"""ConnectWise PSA → monthly metrics (reference/METRICS.md): reactive tickets created and closed, reactive hours,
SLA, and managed-services agreements (active at month end, new, new and lost MRR).

Reactive tickets are parent tickets (``parentTicketId = null``) on the configured reactive boards. Every filter is
sent to ConnectWise as ``conditions`` and checked again here, so the month boundary is exactly the business-time
month whatever the server's own time zone handling.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal

from qbr.connectors.collect import Collected, SyncContext, Tally
from qbr.connectors.connectwise.client import ConnectWiseClient
from qbr.connectors.connectwise.conditions import all_of, date_literal, one_of, within
from qbr.connectors.connectwise.records import Agreement, Reference, Ticket
from qbr.connectors.records import is_named, name_key
from qbr.sources import CONNECTWISE

CREATED = "Reactive Tickets Created"
CLOSED = "Reactive Tickets Closed"
HOURS = "Reactive Hours"
MET_SLA = "Tickets Met SLA"
WITH_SLA = "Tickets With SLA"
AGREEMENTS = "Managed Services Agreements"
NEW_AGREEMENTS = "New Agreements"
NEW_MRR = "New MRR"
LOST_MRR = "Lost MRR"
METRICS = (CREATED, CLOSED, HOURS, MET_SLA, WITH_SLA, AGREEMENTS, NEW_AGREEMENTS, NEW_MRR, LOST_MRR)

# Months per billing cycle, to turn a bill amount into monthly recurring revenue.
_CYCLE_MONTHS = {
    "monthly": Decimal(1),
    "bi-monthly": Decimal(2),
    "bimonthly": Decimal(2),
    "quarterly": Decimal(3),
    "semi-annual": Decimal(6),
    "semi-annually": Decimal(6),
    "bi-annual": Decimal(6),
    "bi-annually": Decimal(6),
    "annual": Decimal(12),
    "annually": Decimal(12),
    "yearly": Decimal(12),
    "weekly": Decimal(12) / Decimal(52),
    "bi-weekly": Decimal(12) / Decimal(26),
    "biweekly": Decimal(12) / Decimal(26),
}
_ID_CHUNK = 200  # ticket ids per `id in (…)` condition, to keep URLs short


def collect_connectwise(client: ConnectWiseClient, context: SyncContext) -> Collected:
    window, settings = context.window, context.settings
    collected = Collected(CONNECTWISE, window.period)
    tally = Tally(context, collected, METRICS)
    boards = settings.words("reactive_boards")
    closed_statuses = settings.words("closed_statuses")
    reactive = all_of(one_of("board/name", boards), "parentTicketId = null")

    def is_reactive(ticket: Ticket) -> bool:
        board = ticket.board.name if ticket.board else None
        return ticket.parent_ticket_id is None and is_named(board, boards)

    def is_closed(ticket: Ticket) -> bool:
        if closed_statuses:
            return is_named(ticket.status.name if ticket.status else None, closed_statuses)
        return ticket.closed_flag

    known: dict[int, Ticket] = {}  # reactive tickets already read, so their hours need no second lookup
    for ticket in client.tickets(all_of(within("dateEntered", window.start, window.end), reactive)):
        if is_reactive(ticket):
            known[ticket.id] = ticket
        if is_reactive(ticket) and window.contains(ticket.date_entered):
            _count(tally, ticket.company, CREATED)
    closed_filter = one_of("status/name", closed_statuses) if closed_statuses else "closedFlag = true"
    for ticket in client.tickets(all_of(within("closedDate", window.start, window.end), reactive, closed_filter)):
        if is_reactive(ticket):
            known[ticket.id] = ticket
        if is_reactive(ticket) and is_closed(ticket) and window.contains(ticket.closed_date):
            _count(tally, ticket.company, CLOSED)
            if ticket.carries_sla:
                tally.add(_company_id(ticket.company), WITH_SLA)
                if ticket.is_in_sla:
                    tally.add(_company_id(ticket.company), MET_SLA)

    _reactive_hours(client, context, tally, reactive, is_reactive, known)
    _agreements(client, context, tally)
    return tally.finish()


def _reactive_hours(
    client: ConnectWiseClient,
    context: SyncContext,
    tally: Tally,
    reactive: str,
    is_reactive: Callable[[Ticket], bool],
    known: dict[int, Ticket],
) -> None:
    """Hours of service-ticket time entries in the month, on reactive tickets of any age (older ones are looked
    up by id; those created or closed this month are ``known`` already)."""
    window = context.window
    entries = [
        e
        for e in client.time_entries(
            all_of('chargeToType = "ServiceTicket"', within("timeStart", window.start, window.end))
        )
        if e.charge_to_type == "ServiceTicket" and e.charge_to_id is not None and window.contains(e.time_start)
    ]
    ticket_ids = sorted({e.charge_to_id for e in entries if e.charge_to_id is not None} - set(known))
    tickets = dict(known)
    for chunk in _chunks(ticket_ids, _ID_CHUNK):
        for ticket in client.tickets(all_of(one_of("id", chunk), reactive)):
            if is_reactive(ticket):
                tickets[ticket.id] = ticket
    for entry in entries:
        worked_on = tickets.get(entry.charge_to_id or 0)
        if worked_on is not None:
            _count(tally, worked_on.company or entry.company, HOURS, entry.actual_hours)


def _agreements(client: ConnectWiseClient, context: SyncContext, tally: Tally) -> None:
    window, settings = context.window, context.settings
    types = settings.words("agreement_types")
    started_by_end = f"startDate < {date_literal(window.end)}"
    for agreement in client.agreements(all_of(started_by_end, one_of("type/name", types) if types else None)):
        if types and not is_named(agreement.type.name if agreement.type else None, types):
            continue
        company = _company_id(agreement.company)
        monthly = monthly_amount(agreement)
        ended = _ended_on(agreement, context)
        started = agreement.start_date
        if started is None or window.local_date(started) > window.last_day:
            continue
        counted = False
        if ended is None or ended > window.last_day:
            tally.add(company, AGREEMENTS)
            counted = True
        if window.contains_day(started):
            tally.add(company, NEW_AGREEMENTS)
            tally.add(company, NEW_MRR, monthly)
            counted = True
        if ended is not None and window.first_day <= ended <= window.last_day:
            tally.add(company, LOST_MRR, monthly)
            counted = True
        if counted:  # long-finished agreements are history, not unmapped records of this month
            tally.unmapped(company, agreement.company.name if agreement.company else None, "company")


def monthly_amount(agreement: Agreement) -> Decimal:
    cycle = name_key(agreement.billing_cycle.name or "monthly") if agreement.billing_cycle else "monthly"
    months = _CYCLE_MONTHS.get(cycle)
    if months is None:  # one-time or unknown cycles bring no recurring revenue we can state monthly
        return Decimal(0)
    return agreement.bill_amount / months


def _ended_on(agreement: Agreement, context: SyncContext) -> date | None:
    """The day an agreement stops: its end date or its cancellation, whichever comes first."""
    days = [
        context.window.local_date(moment)
        for moment in (agreement.end_date, agreement.date_cancelled if agreement.cancelled_flag else None)
        if moment is not None
    ]
    return min(days) if days else None


def _count(tally: Tally, company: Reference | None, metric: str, amount: Decimal | int = 1) -> None:
    tally.add(_company_id(company), metric, amount)
    tally.unmapped(_company_id(company), company.name if company else None, "company")


def _company_id(company: Reference | None) -> str | None:
    return str(company.id) if company is not None else None


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
