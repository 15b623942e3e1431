"""HaloPSA → monthly metrics (reference/METRICS.md), the same as ConnectWise's: reactive tickets created and
closed, reactive hours, SLA, and managed-services contracts (active at month end, new, new and lost MRR).

Reactive tickets are tickets without a parent on the configured reactive teams (Halo's boards). Halo is asked for
each month by date and every record is checked again here, so the month is exactly the business-time month.
"""

from __future__ import annotations

from decimal import Decimal

from qbr.connectors.collect import Collected, SyncContext, Tally
from qbr.connectors.halopsa.client import HaloPsaClient
from qbr.connectors.halopsa.records import HaloContract, HaloTicket
from qbr.connectors.records import is_named
from qbr.sources import HALOPSA

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

# Months per contract ``billingperiod`` code (monthly, quarterly, six-monthly, yearly), to state MRR.
BILLING_PERIOD_MONTHS = {1: Decimal(1), 2: Decimal(3), 3: Decimal(6), 4: Decimal(12)}


def collect_halopsa(client: HaloPsaClient, context: SyncContext) -> Collected:
    window, settings = context.window, context.settings
    collected = Collected(HALOPSA, window.period)
    tally = Tally(context, collected, METRICS)
    teams = settings.words("reactive_teams")
    closed_ids = {int(i) for i in settings.words("closed_status_ids")}

    def reactive(ticket: HaloTicket) -> bool:
        return ticket.is_parent and is_named(ticket.team, teams)

    def closed(ticket: HaloTicket) -> bool:
        return ticket.dateclosed is not None and (not closed_ids or ticket.status_id in closed_ids)

    for ticket in client.tickets_opened(window.start, window.end):
        if reactive(ticket) and window.contains(ticket.dateoccurred):
            _count(tally, ticket, CREATED)
    for ticket in client.tickets_closed(window.start, window.end):
        if reactive(ticket) and closed(ticket) and window.contains(ticket.dateclosed):
            _count(tally, ticket, CLOSED)
            if ticket.fixbydate is not None and not ticket.excludefromsla:
                tally.add(_client_id(ticket), WITH_SLA)
                if ticket.dateclosed is not None and ticket.dateclosed <= ticket.fixbydate:
                    tally.add(_client_id(ticket), MET_SLA)
    for ticket in client.tickets_worked(window.start, window.end):
        if not reactive(ticket):
            continue
        hours = sum((a.timetaken for a in client.actions(ticket.id) if window.contains(a.datetime)), Decimal(0))
        if hours:
            _count(tally, ticket, HOURS, hours)
    _contracts(client.contracts(), context, tally)
    return tally.finish()


def _contracts(contracts: list[HaloContract], context: SyncContext, tally: Tally) -> None:
    window, types = context.window, context.settings.words("agreement_types")
    for contract in contracts:
        if types and not is_named(contract.contracttype_name, types):
            continue
        started = window.local_date(contract.start_date) if contract.start_date else None
        if started is None or started > window.last_day:
            continue
        ended = window.local_date(contract.end_date) if contract.end_date else None
        client = str(contract.client_id) if contract.client_id is not None else None
        monthly = monthly_amount(contract)
        counted = False
        if ended is None or ended > window.last_day:
            tally.add(client, AGREEMENTS)
            counted = True
        if window.first_day <= started <= window.last_day:
            tally.add(client, NEW_AGREEMENTS)
            tally.add(client, NEW_MRR, monthly)
            counted = True
        if ended is not None and window.first_day <= ended <= window.last_day:
            tally.add(client, LOST_MRR, monthly)
            counted = True
        if counted:  # contracts long over are history, not unmapped records of this month
            tally.unmapped(client, contract.client_name, "client")


def monthly_amount(contract: HaloContract) -> Decimal:
    months = BILLING_PERIOD_MONTHS.get(contract.billingperiod or 1)
    return contract.periodchargeamount / months if months else Decimal(0)


def _count(tally: Tally, ticket: HaloTicket, metric: str, amount: Decimal | int = 1) -> None:
    tally.add(_client_id(ticket), metric, amount)
    tally.unmapped(_client_id(ticket), ticket.client_name, "client")


def _client_id(ticket: HaloTicket) -> str | None:
    return str(ticket.client_id) if ticket.client_id is not None else None
