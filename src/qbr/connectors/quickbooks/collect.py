"""QuickBooks Online → monthly revenue and expense metrics, from the Profit and Loss report and the configured
account → metric mapping.

Each client organization gets the P&L filtered to its customers (a linked customer brings its sub-customers,
unless they are linked elsewhere); the MSP's own organization gets the whole company's P&L. A mapping on a parent
account (or on a group such as "Expenses") covers its sub-accounts that have no mapping of their own. Accounts
with amounts but no mapping are reported, and invoices of customers linked to no organization are the unmapped
records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from qbr.connectors.collect import Collected, SyncContext, Tally
from qbr.connectors.http import NotConfigured
from qbr.connectors.quickbooks.client import QuickBooksClient
from qbr.connectors.quickbooks.records import Customer, ProfitAndLoss, ReportLine
from qbr.connectors.records import name_key
from qbr.sources import QUICKBOOKS


def collect_quickbooks(client: QuickBooksClient, context: SyncContext) -> Collected:
    window, settings = context.window, context.settings
    mapping = settings.account_map
    if not mapping:
        raise NotConfigured(
            QUICKBOOKS,
            "no P&L account is mapped to a metric yet; map each with "
            '`qbr connectors set quickbooks "account:<account name or id>=<metric>"`',
        )
    metrics = tuple(sorted(set(mapping.values())))
    collected = Collected(QUICKBOOKS, window.period)
    tally = Tally(context, collected, metrics)
    customers = {c.id: c for c in client.customers(include_inactive=True)}
    owner = _owners(customers, context.links)
    method = settings.require("accounting_method")

    customers_of: dict[int, set[str]] = defaultdict(set)
    for customer_id, organization_id in owner.items():
        customers_of[organization_id].add(customer_id)
    unmapped_accounts: dict[tuple[str | None, str], Decimal] = defaultdict(Decimal)
    receivers = {organization_id: sorted(ids) for organization_id, ids in customers_of.items()}
    if context.msp_organization_id is not None:
        receivers[context.msp_organization_id] = []  # the whole company: no customer filter
    for organization_id, customer_ids in sorted(receivers.items()):
        company_wide = organization_id == context.msp_organization_id
        report = client.profit_and_loss(
            window.first_day,
            window.last_day,
            customer_ids=None if company_wide else customer_ids,
            accounting_method=method,
        )
        sums, unmapped = account_sums(report, mapping)
        for metric in metrics:
            collected.values[organization_id, metric] = sums.get(metric, Decimal(0))
        # The company-wide report sees every account; without an MSP organization, the clients' reports must do.
        if company_wide or context.msp_organization_id is None:
            for line in unmapped:
                unmapped_accounts[line.account_id, line.account_name] += line.amounts[report.column_index()]
    collected.unmapped_accounts = [
        {"account_id": account_id or "", "account": name, "amount": str(amount)}
        for (account_id, name), amount in sorted(unmapped_accounts.items(), key=lambda item: -abs(item[1]))
        if amount
    ]

    for invoice in client.invoices(window.first_day, window.last_day):
        billed = invoice.customer_ref.value if invoice.customer_ref else None
        if billed is None or billed not in owner:
            name = invoice.customer_ref.name if invoice.customer_ref else None
            tally.unmapped(billed, name or _name(customers.get(billed or "")), "customer")
    return collected


def account_sums(report: ProfitAndLoss, mapping: Mapping[str, str]) -> tuple[dict[str, Decimal], list[ReportLine]]:
    """Per metric, the Total column of the accounts mapped to it; and the accounts with amounts but no mapping."""
    column = report.column_index()
    by_name = {name_key(key): metric for key, metric in mapping.items()}
    sums: dict[str, Decimal] = defaultdict(Decimal)
    unmapped: list[ReportLine] = []

    def metric_for(line: ReportLine) -> str | None:
        if line.account_id is not None and line.account_id in mapping:
            return mapping[line.account_id]
        return by_name.get(name_key(line.account_name))

    def walk(line: ReportLine, inherited: str | None) -> None:
        metric = metric_for(line) or inherited
        if line.children:
            for child in line.children:
                walk(child, metric)
            return
        amount = line.amounts[column]
        if metric is not None:
            sums[metric] += amount
        elif amount:
            unmapped.append(line)

    for section in report.sections:
        walk(section, None)
    return dict(sums), unmapped


def _owners(customers: Mapping[str, Customer], links: Mapping[str, int]) -> dict[str, int]:
    """Customer id → organization: its own link, or else the nearest linked ancestor's."""
    owners: dict[str, int] = dict(links)
    for customer_id in customers:
        seen: set[str] = set()
        current: str | None = customer_id
        while current is not None and current not in seen:
            if current in links:
                owners[customer_id] = links[current]
                break
            seen.add(current)
            parent = customers.get(current)
            current = parent.parent_ref.value if parent is not None and parent.parent_ref else None
    return owners


def _name(customer: Customer | None) -> str | None:
    return customer.display_name if customer is not None else None
