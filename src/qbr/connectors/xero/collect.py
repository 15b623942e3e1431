"""Xero → monthly revenue and expense metrics through the configured account → metric mapping, as QuickBooks'.

The MSP's own organization gets the whole organisation's Profit and Loss report. Xero's report cannot be filtered
by contact, so a client organization gets its linked contacts' approved sales invoices dated in the month (accrual
basis, without tax), each line counted for the metric its account maps to. Accounts with amounts but no mapping are
reported, and invoices of contacts linked to no organization are the unmapped records.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from qbr.connectors.collect import Collected, SyncContext, Tally, UnmappedAccount
from qbr.connectors.http import NotConfigured
from qbr.connectors.records import name_key
from qbr.connectors.xero.client import XeroClient
from qbr.connectors.xero.records import XeroAccount
from qbr.sources import XERO


def collect_xero(client: XeroClient, context: SyncContext) -> Collected:
    window, mapping = context.window, context.settings.account_map
    if not mapping:
        raise NotConfigured(
            XERO,
            "no P&L account is mapped to a metric yet; map each with "
            '`qbr connectors set xero "account:<account name, code or id>=<metric>"`',
        )
    metrics = tuple(sorted(set(mapping.values())))
    collected = Collected(XERO, window.period)
    accounts = client.accounts()
    by_code = {a.code: a for a in accounts if a.code}
    by_name = {name_key(key): metric for key, metric in mapping.items()}

    def metric_for(account_id: str | None, name: str, section: str = "") -> str | None:
        account = next((a for a in accounts if a.account_id == account_id), None)
        keys = [account_id, account.code if account else None]
        direct = next((mapping[k] for k in keys if k and k in mapping), None)
        return direct or by_name.get(name_key(name)) or (by_name.get(name_key(section)) if section else None)

    sums: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    if context.msp_organization_id is not None:
        unmapped_accounts: list[UnmappedAccount] = []
        for line in client.profit_and_loss(window.first_day, window.last_day):
            metric = metric_for(line.account_id, line.name, line.section)
            if metric is not None:
                sums[context.msp_organization_id, metric] += line.amount
            elif line.amount:
                unmapped_accounts.append(
                    {"account_id": line.account_id, "account": line.name, "amount": str(line.amount)}
                )
        collected.unmapped_accounts = sorted(unmapped_accounts, key=lambda a: -abs(Decimal(a["amount"])))

    tally = Tally(context, collected, ())  # only for the unmapped-contact report
    for invoice in client.sales_invoices(window.first_day, window.last_day, []):
        contact = invoice.contact.contact_id
        organization_id = context.links.get(contact)
        tally.unmapped(contact, invoice.contact.name, "contact")
        if organization_id is None or organization_id == context.msp_organization_id:
            continue  # the MSP's figures are the whole P&L already
        for code, amount in invoice.net_lines():
            account: XeroAccount | None = by_code.get(code or "")
            metric = metric_for(account.account_id, account.name) if account else None
            if metric is not None:
                sums[organization_id, metric] += amount

    receivers = set(context.links.values())
    if context.msp_organization_id is not None:
        receivers.add(context.msp_organization_id)
    for organization_id in receivers:
        for metric in metrics:
            collected.values[organization_id, metric] = sums.get((organization_id, metric), Decimal(0))
    return collected
