"""A month of realistic vendor data in the three fakes, and the metric values it should produce, computed here
from the fakes' own records with the rules of reference/METRICS.md (not with the collectors' code).

The month is the current one in the business time zone, so NinjaOne's snapshot metrics apply. Records sit just
inside and just outside the month's local boundaries, on other boards, as child tickets, on deleted devices and on
sub-customers, so that every rule is exercised.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fnmatch import fnmatchcase
from typing import Any

from fakes.connectwise import FakeConnectWise
from fakes.month import Month, iso
from fakes.ninjaone import FakeNinjaOne
from fakes.quickbooks import FakeQuickBooks

TIMEZONE = "America/New_York"
ACME, GLOBEX = "Acme Corp", "Globex"
MSP = "Bright IT"
CW_LINKS = {"23": ACME, "24": GLOBEX}  # 25 Umbrella stays unlinked
NINJA_LINKS = {"1": ACME, "2": GLOBEX}  # 3 Umbrella stays unlinked
QBO_LINKS = {"12": ACME, "15": GLOBEX}  # 13 is Acme's sub-customer; 18 Umbrella stays unlinked
ACCOUNT_MAP = {
    "Managed Services": "Monthly Recurring Revenue",
    "60": "Non-Recurring Revenue",  # Project Income, a parent: covers Onsite Projects (61) too
    "Hardware Sales": "Product Sales",
    "Backup Resale": "Other Recurring Revenue",
    "Misc Income": "Miscellaneous Revenue",
    "Owner Tax Reserve": "Owner Comp Taxes",
    "Payroll": "Employee Expense",
    "Owner Draw": "Owner Compensation",
    "Hardware COGS": "Product COGS",
    "Rent": "Other Expenses",
}
ENDPOINT_CLASSES = (
    "WINDOWS_SERVER",
    "WINDOWS_WORKSTATION",
    "LINUX_SERVER",
    "LINUX_WORKSTATION",
    "MAC",
    "MAC_SERVER",
    "VMWARE_VM_HOST",
    "HYPERV_VMM_HOST",
)
SEAT_CLASSES = ("WINDOWS_WORKSTATION", "LINUX_WORKSTATION", "MAC")


@dataclass
class Expected:
    """Expected values per external id and source; ``for_org`` turns them into an organization's values."""

    by_id: dict[str, dict[str, dict[str, Decimal]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict))
    )

    def add(self, source: str, external_id: str, metric: str, amount: Decimal | int = 1) -> None:
        values = self.by_id[source][external_id]
        values[metric] = values.get(metric, Decimal(0)) + Decimal(amount)

    def for_ids(self, source: str, external_ids: list[str] | None, metrics: tuple[str, ...]) -> dict[str, Decimal]:
        """Values summed over ``external_ids`` (None: every id, the MSP's company-wide figures)."""
        ids = list(self.by_id[source]) if external_ids is None else external_ids
        return {m: sum((self.by_id[source].get(i, {}).get(m, Decimal(0)) for i in ids), Decimal(0)) for m in metrics}


CW_METRICS = (
    "Reactive Tickets Created",
    "Reactive Tickets Closed",
    "Reactive Hours",
    "Tickets Met SLA",
    "Tickets With SLA",
    "Managed Services Agreements",
    "New Agreements",
    "New MRR",
    "Lost MRR",
)
NINJA_METRICS = (
    "Endpoints Managed",
    "Seats Managed",
    "Patch Compliant Devices",
    "Unhealthy Devices",
    "Patches Installed",
    "Patches Failed",
    "Backup Jobs Succeeded",
    "Backup Jobs Total",
)
QBO_METRICS = tuple(sorted(set(ACCOUNT_MAP.values())))


def fill_connectwise(cw: FakeConnectWise, month: Month) -> None:
    acme, globex, umbrella = cw.company(23, "Acme Corp"), cw.company(24, "Globex"), cw.company(25, "Umbrella")
    a1 = cw.ticket(acme, iso(month.at(1)), closed=iso(month.at(2)), in_sla=True)
    cw.ticket(acme, iso(month.at(3)), closed=iso(month.at(10)), in_sla=False)
    cw.ticket(acme, iso(month.at(5)))
    a4 = cw.ticket(acme, iso(month.at(hours=-1)), closed=iso(month.at(hours=1)), in_sla=True)  # entered last month
    cw.ticket(acme, iso(month.at(1)), parent_ticket_id=a1["id"])  # a child ticket
    a6 = cw.ticket(acme, iso(month.at(1)), closed=iso(month.at(2)), board="Projects")
    cw.ticket(acme, iso(month.end - timedelta(hours=1)), closed=iso(month.end + timedelta(hours=1)))
    g1 = cw.ticket(globex, iso(month.at(2)), closed=iso(month.at(3)), in_sla=None)  # no SLA
    cw.ticket(globex, iso(month.at(4)), closed=iso(month.at(6)), in_sla=True, status="Resolved")
    u1 = cw.ticket(umbrella, iso(month.at(1)), closed=iso(month.at(2)), in_sla=True)
    a8 = cw.ticket(acme, iso(month.at(-5)))  # entered last month, still open: its hours this month count
    cw.time_entry(a8, iso(month.at(4)), "0.5")
    cw.time_entry(a1, iso(month.at(1, 2)), "1.5")
    cw.time_entry(a1, iso(month.at(hours=-2)), "4")  # worked last month
    cw.time_entry(a4, iso(month.at(hours=2)), "0.75")
    cw.time_entry(a6, iso(month.at(2)), "2")  # a project ticket
    cw.time_entry(g1, iso(month.at(2, 3)), "2.25")
    cw.time_entry(u1, iso(month.at(1, 3)), "1")
    cw.time_entry(a1, iso(month.at(3)), "3", charge_to_type="ChargeCode")
    long_ago = iso(datetime(2020, 1, 1, tzinfo=UTC))
    cw.agreement(acme, long_ago, "1500")
    cw.agreement(acme, f"{month.day(11).isoformat()}T00:00:00Z", "500")
    cw.agreement(globex, f"{month.day(2).isoformat()}T00:00:00Z", "12000", billing_cycle="Annual")
    cw.agreement(globex, long_ago, "800", cancelled=f"{month.day(15).isoformat()}T00:00:00Z")
    cw.agreement(umbrella, long_ago, "300")
    cw.agreement(umbrella, long_ago, "999", end=iso(datetime(2021, 6, 30, tzinfo=UTC)))  # long over


def expected_connectwise(cw: FakeConnectWise, month: Month) -> Expected:
    expected = Expected()
    zone = month.start.tzinfo
    tickets = cw.collections["service/tickets"]

    def moment(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None

    def reactive(t: dict[str, Any]) -> bool:
        return t["board"]["name"] == "Help Desk" and t["parentTicketId"] is None

    reactive_ids = {t["id"] for t in tickets if reactive(t)}
    for t in tickets:
        company = str(t["company"]["id"])
        entered, closed = moment(t["_info"]["dateEntered"]), moment(t["closedDate"])
        if reactive(t) and entered and month.contains(entered):
            expected.add("cw", company, "Reactive Tickets Created")
        if reactive(t) and t["closedFlag"] and closed and month.contains(closed):
            expected.add("cw", company, "Reactive Tickets Closed")
            if t["isInSla"] is not None:
                expected.add("cw", company, "Tickets With SLA")
            if t["isInSla"]:
                expected.add("cw", company, "Tickets Met SLA")
    by_id = {t["id"]: t for t in tickets}
    for e in cw.collections["time/entries"]:
        start = moment(e["timeStart"])
        if e["chargeToType"] == "ServiceTicket" and e["chargeToId"] in reactive_ids and start and month.contains(start):
            company = str(by_id[e["chargeToId"]]["company"]["id"])
            expected.add("cw", company, "Reactive Hours", Decimal(str(e["actualHours"])))
    first, last = month.start.date(), (month.end - timedelta(days=1)).date()
    for a in cw.collections["finance/agreements"]:
        company = str(a["company"]["id"])
        started = moment(a["startDate"]).date()  # dates at midnight UTC are calendar dates
        stops = [moment(x).date() for x in (a["endDate"], a["dateCancelled"]) if x]
        stop = min(stops) if stops else None
        monthly = Decimal(str(a["billAmount"])) / (12 if a["billingCycle"]["name"] == "Annual" else 1)
        if started <= last and (stop is None or stop > last):
            expected.add("cw", company, "Managed Services Agreements")
        if first <= started <= last:
            expected.add("cw", company, "New Agreements")
            expected.add("cw", company, "New MRR", monthly)
        if stop is not None and first <= stop <= last:
            expected.add("cw", company, "Lost MRR", monthly)
    assert zone is not None
    return expected


def fill_ninjaone(ninja: FakeNinjaOne, month: Month) -> None:
    acme, globex, umbrella = (
        ninja.organization(1, "Acme"),
        ninja.organization(2, "Globex"),
        ninja.organization(3, "Umbrella"),
    )
    ws1 = ninja.device(acme, "WINDOWS_WORKSTATION")
    ninja.device(acme, "WINDOWS_WORKSTATION", health="UNHEALTHY")
    server = ninja.device(acme, "WINDOWS_SERVER")
    ninja.device(acme, "VMWARE_VM_GUEST")
    mac = ninja.device(acme, "MAC")
    linux = ninja.device(globex, "LINUX_SERVER", health="NEEDS_ATTENTION")
    ninja.device(globex, "HYPERV_VMM_HOST")
    ninja.device(globex, "NMS_SWITCH")
    um = ninja.device(umbrella, "WINDOWS_WORKSTATION", health="UNHEALTHY")
    ninja.device(umbrella, "WINDOWS_WORKSTATION")
    ninja.pending_patch(server, severity="CRITICAL")
    ninja.pending_patch(ws1, severity="LOW")
    ninja.pending_patch(mac, severity="CRITICAL", status="REJECTED")
    for when in (month.at(1), month.at(2), month.at(3)):
        ninja.patch_install(ws1, when)
    ninja.patch_install(server, month.at(4), status="FAILED")
    ninja.patch_install(ws1, month.at(hours=-1))  # last month, local time
    ninja.patch_install(linux, month.at(5))
    ninja.patch_install(linux, month.at(6))
    ninja.patch_install(um, month.at(5))
    ninja.patch_install({"id": 999, "organizationId": 3}, month.at(5))  # a device deleted since
    for status in ("COMPLETED", "COMPLETED", "COMPLETED", "COMPLETED", "FAILED", "RUNNING"):
        ninja.backup_job(server, month.at(7), status)
    ninja.backup_job(linux, month.at(8))
    ninja.backup_job(linux, month.at(9))
    ninja.backup_job(um, month.at(9), "FAILED")


def expected_ninjaone(ninja: FakeNinjaOne, month: Month) -> Expected:
    expected = Expected()
    org_of = {d["id"]: str(d["organizationId"]) for d in ninja.devices}
    at_risk = {
        p["deviceId"] for p in ninja.pending_patches if p["severity"] == "CRITICAL" and p["status"] != "REJECTED"
    }
    for d in ninja.devices:
        org = str(d["organizationId"])
        endpoint = any(fnmatchcase(d["nodeClass"], c) for c in ENDPOINT_CLASSES)
        if endpoint:
            expected.add("ninja", org, "Endpoints Managed")
            if d["id"] not in at_risk:
                expected.add("ninja", org, "Patch Compliant Devices")
        if d["nodeClass"] in SEAT_CLASSES:
            expected.add("ninja", org, "Seats Managed")
    for h in ninja.health:
        if h["healthStatus"] == "UNHEALTHY":
            expected.add("ninja", org_of[h["deviceId"]], "Unhealthy Devices")
    for p in ninja.patch_installs:
        when = datetime.fromtimestamp(p["installedAt"], UTC)
        if month.contains(when):
            metric = "Patches Installed" if p["status"] == "INSTALLED" else "Patches Failed"
            expected.add("ninja", org_of.get(p["deviceId"], f"device {p['deviceId']}"), metric)
    for j in ninja.backup_jobs:
        if month.contains(datetime.fromtimestamp(j["jobStartTime"], UTC)) and j["jobStatus"] != "RUNNING":
            expected.add("ninja", str(j["organizationId"]), "Backup Jobs Total")
            if j["jobStatus"] == "COMPLETED":
                expected.add("ninja", str(j["organizationId"]), "Backup Jobs Succeeded")
    return expected


def fill_quickbooks(qbo: FakeQuickBooks, month: Month) -> None:
    qbo.account("54", "Managed Services", "Income")
    qbo.account("60", "Project Income", "Income")
    qbo.account("61", "Onsite Projects", "Income", parent_id="60")
    qbo.account("62", "Hardware Sales", "Income")
    qbo.account("63", "Misc Income", "Income")
    qbo.account("64", "Backup Resale", "Income")
    qbo.account("95", "Interest Income", "OtherIncome")  # mapped to nothing: reported
    qbo.account("80", "Hardware COGS", "COGS")
    qbo.account("70", "Payroll", "Expenses")
    qbo.account("71", "Owner Draw", "Expenses")
    qbo.account("72", "Owner Tax Reserve", "Expenses")
    qbo.account("90", "Rent", "Expenses")
    qbo.customer("12", "Acme Corp")
    qbo.customer("13", "Acme Corp:Branch Office", parent_id="12")
    qbo.customer("15", "Globex Corporation")
    qbo.customer("18", "Umbrella")
    for account, amount, customer in (
        ("54", "1000.00", "12"),
        ("54", "2500.00", "15"),
        ("54", "300.00", "18"),
        ("60", "100.00", "12"),
        ("61", "250.50", "13"),
        ("62", "400.00", "15"),
        ("63", "20.00", "12"),
        ("64", "150.00", "15"),
        ("95", "7.25", None),
        ("72", "400.00", None),
        ("80", "250.00", "15"),
        ("70", "3000.00", None),
        ("71", "2000.00", None),
        ("90", "500.00", None),
    ):
        qbo.post(month.day(10), account, amount, customer)
    qbo.post(month.day(1) - timedelta(days=1), "54", "999.00", "12")  # last month
    for customer in ("12", "12", "13", "15", "18", "18"):
        qbo.invoice(customer, month.day(5), "100.00")


def expected_quickbooks(qbo: FakeQuickBooks, month: Month) -> Expected:
    """Per customer (sub-customers count for their parent), and per account mapped directly or via its parent."""
    expected = Expected()
    first, last = month.start.date(), (month.end - timedelta(days=1)).date()
    parent_of = {c["Id"]: c.get("ParentRef", {}).get("value") for c in qbo.customers}
    for posting in qbo.postings:
        if not first <= posting.day <= last:
            continue
        account = qbo.accounts[posting.account_id]
        owner = account if account.parent_id is None else qbo.accounts[account.parent_id]
        metric = ACCOUNT_MAP.get(owner.name) or ACCOUNT_MAP.get(owner.id)
        if metric is None:
            continue
        customer = posting.customer_id or "(company)"
        customer = parent_of.get(customer) or customer
        expected.add("qbo", customer, metric, posting.amount)
    return expected
