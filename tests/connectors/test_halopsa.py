"""HaloPSA against its loopback fake: paging, the request limit, token expiry, discovery and linking, a month synced
end to end with values computed here from the fake's records, and a vendor dying mid-sync."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fakes.halopsa import UNSET, FakeHaloPsa, parse
from fakes.month import Month
from qbr.connectors.halopsa.client import HaloPsaClient
from qbr.connectors.halopsa.records import HaloTicket
from qbr.connectors.http import AuthenticationFailed, HttpOptions
from qbr.connectors.models import SyncRun
from qbr.core.numbers import round_cents
from qbr.metrics.models import MetricMonthly
from qbr.organizations.models import Organization
from tests.connectors.conftest import FakeClock, SleepRecorder, monthly, point_at, qbr
from tests.connectors.scenario import ACME, CW_METRICS, GLOBEX, MSP, Expected

SOURCE = "HaloPSA"
LINKS = {"23": ACME, "24": GLOBEX}  # 25 Umbrella stays unlinked


@pytest.fixture
def halo(clock: FakeClock) -> Iterator[FakeHaloPsa]:
    with FakeHaloPsa(clock=clock) as fake:
        yield fake


def midnight(day: int, month: Month) -> datetime:
    return datetime.combine(month.day(day), time(0), UTC)  # contract dates are calendar dates


def fill(halo: FakeHaloPsa, month: Month) -> None:
    acme, globex, umbrella = halo.client(23, "Acme Corp"), halo.client(24, "Globex"), halo.client(25, "Umbrella")
    halo.client(26, "Old Co", inactive=True)
    a1 = halo.ticket(acme, month.at(1), closed=month.at(2), fix_by=month.at(3))
    halo.ticket(acme, month.at(3), closed=month.at(10), fix_by=month.at(5))  # closed late
    halo.ticket(acme, month.at(5))
    a4 = halo.ticket(acme, month.at(hours=-1), closed=month.at(hours=1), fix_by=month.at(1))  # logged last month
    halo.ticket(acme, month.at(1), parent_id=a1["id"])  # a child ticket
    project = halo.ticket(acme, month.at(1), closed=month.at(2), team="Projects")
    halo.ticket(acme, month.end - timedelta(hours=1), closed=month.end + timedelta(hours=1))
    g1 = halo.ticket(globex, month.at(2), closed=month.at(3))  # no SLA
    halo.ticket(globex, month.at(4), closed=month.at(6), fix_by=month.at(7), exclude_from_sla=True)
    u1 = halo.ticket(umbrella, month.at(1), closed=month.at(2), fix_by=month.at(2, 1))
    old = halo.ticket(acme, month.at(-5))  # logged last month, still open: its hours this month count
    halo.action(old, month.at(-2), "4")  # worked last month
    halo.action(old, month.at(4), "0.5")
    halo.action(a1, month.at(1, 2), "1.5")
    halo.action(a4, month.at(hours=2), "0.75")
    halo.action(project, month.at(2), "2")
    halo.action(g1, month.at(2, 3), "2.25")
    halo.action(u1, month.at(1, 3), "1")
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    halo.contract(acme, long_ago, "1500")
    halo.contract(acme, midnight(11, month), "500")
    halo.contract(globex, midnight(2, month), "12000", billing_period=4)  # yearly
    halo.contract(globex, long_ago, "800", end=midnight(15, month), active=False)  # ended: inactive now
    halo.contract(umbrella, long_ago, "300")
    halo.contract(umbrella, long_ago, "999", end=datetime(2021, 6, 30, tzinfo=UTC), active=False)


def expected(halo: FakeHaloPsa, month: Month) -> Expected:
    """README's HaloPSA rules applied to the fake's raw records."""
    result = Expected()

    def when(text: str) -> datetime | None:
        return None if text == UNSET else parse(text)

    def reactive(t: dict[str, object]) -> bool:
        return t["team"] == "Service Desk" and t["parent_id"] == 0

    by_id = {t["id"]: t for t in halo.tickets}
    for t in halo.tickets:
        client, logged, closed = str(t["client_id"]), when(t["dateoccurred"]), when(t["dateclosed"])
        fix_by = when(t["fixbydate"])
        if reactive(t) and logged and month.contains(logged):
            result.add("halo", client, "Reactive Tickets Created")
        if reactive(t) and closed and month.contains(closed):
            result.add("halo", client, "Reactive Tickets Closed")
            if fix_by and not t["excludefromsla"]:
                result.add("halo", client, "Tickets With SLA")
                if closed <= fix_by:
                    result.add("halo", client, "Tickets Met SLA")
    for a in halo.actions:
        ticket = by_id[a["ticket_id"]]
        moment = when(a["datetime"])
        if reactive(ticket) and moment and month.contains(moment):
            result.add("halo", str(ticket["client_id"]), "Reactive Hours", Decimal(str(a["timetaken"])))
    first, last = month.start.date(), (month.end - timedelta(days=1)).date()
    for c in halo.contracts:
        client, started = str(c["client_id"]), parse(c["start_date"]).date()
        ended = None if c["end_date"] == UNSET else parse(c["end_date"]).date()
        per_month = Decimal(str(c["periodchargeamount"])) / {1: 1, 2: 3, 3: 6, 4: 12}[c["billingperiod"]]
        if started > last:
            continue
        if ended is None or ended > last:
            result.add("halo", client, "Managed Services Agreements")
        if first <= started <= last:
            result.add("halo", client, "New Agreements")
            result.add("halo", client, "New MRR", per_month)
        if ended is not None and first <= ended <= last:
            result.add("halo", client, "Lost MRR", per_month)
    return result


@pytest.fixture
def halo_world(engine: Engine, month: Month, connector_env: pytest.MonkeyPatch, halo: FakeHaloPsa) -> dict[str, int]:
    point_at(connector_env, halo)
    fill(halo, month)
    for args in (("orgs", "create", MSP, "--msp"), ("orgs", "create", ACME), ("orgs", "create", GLOBEX)):
        assert qbr(*args).exit_code == 0
    for external_id, name in LINKS.items():
        result = qbr("link", name, "halopsa", external_id)
        assert result.exit_code == 0, result.output
    with Session(engine) as session:
        return {o.name: o.id for o in session.scalars(select(Organization))}


def client(halo: FakeHaloPsa, options: HttpOptions, page_size: int = 100) -> HaloPsaClient:
    return HaloPsaClient(
        url=halo.url,
        auth_url=f"{halo.url}/auth",
        client_id=halo.client_id,
        client_secret=halo.client_secret,
        options=options,
        page_size=page_size,
    )


def test_pages_are_read_to_the_record_count(halo: FakeHaloPsa, options: HttpOptions, month: Month) -> None:
    fill(halo, month)
    with client(halo, options, page_size=3) as api:
        tickets = api.tickets_opened(month.start, month.end)
        clients = api.clients()
    assert len(tickets) == sum(1 for t in halo.tickets if month.contains(parse(t["dateoccurred"])))
    pages = [r.param("page_no") for r in halo.requests if r.path == "/api/Tickets"]
    assert pages == [str(n) for n in range(1, len(pages) + 1)]
    assert len(pages) > 2
    assert "Old Co" in {c.name for c in clients}  # inactive clients are asked for too
    assert all(t.dateclosed is None for t in tickets if t.status_id != 9)  # the 1900-01-01 sentinel is no date


def test_the_request_limit_is_honoured(
    halo: FakeHaloPsa, clock: FakeClock, sleeps: SleepRecorder, month: Month
) -> None:
    fill(halo, month)
    halo.limit.limit = 2

    def wait(seconds: float) -> None:
        sleeps(seconds)
        clock.advance(seconds)

    with client(halo, HttpOptions(sleep=wait, clock=clock), page_size=4) as api:
        tickets = api.tickets_opened(month.start - timedelta(days=30), month.end + timedelta(days=3))
    assert len(tickets) == len(halo.tickets)
    assert halo.limit.refused >= 1
    assert sleeps.waits
    assert all(w >= 1 for w in sleeps.waits)  # Retry-After, in whole seconds


def test_an_expired_token_is_renewed(halo: FakeHaloPsa, options: HttpOptions, clock: FakeClock) -> None:
    halo.client(23, "Acme Corp")
    with client(halo, options) as api:
        api.clients()
        clock.advance(3600)
        api.clients()
        halo.revoke_tokens()  # an empty 401: one new token settles it
        assert [c.name for c in api.clients()] == ["Acme Corp"]
    assert halo.tokens_issued == 3
    assert {r.form()["scope"] for r in halo.requests if r.path == "/auth/token"} == {"all"}


def test_a_tenant_is_sent_and_wrong_credentials_name_the_settings(clock: FakeClock, options: HttpOptions) -> None:
    with FakeHaloPsa(clock=clock, tenant="bright") as fake:
        fake.client(23, "Acme Corp")
        settings = {"url": fake.url, "auth_url": f"{fake.url}/auth", "client_id": fake.client_id}
        with HaloPsaClient(**settings, client_secret=fake.client_secret, tenant="bright", options=options) as api:
            assert [c.id for c in api.clients()] == [23]
        wrong = HaloPsaClient(**settings, client_secret="nope", tenant="bright", options=options)
        with wrong, pytest.raises(AuthenticationFailed, match=r"invalid_client.*QBR_HALOPSA_CLIENT_ID"):
            wrong.clients()


def test_discovery_suggests_and_links_clients(
    engine: Engine, connector_env: pytest.MonkeyPatch, halo: FakeHaloPsa
) -> None:
    point_at(connector_env, halo)
    assert qbr("orgs", "create", "Acme Corp").exit_code == 0
    halo.client(23, "ACME Corporation")
    halo.client(26, "Old Co", inactive=True)
    result = qbr("connectors", "discover", "halopsa")
    assert result.exit_code == 0, result.output
    assert 'qbr link "Acme Corp" halopsa 23' in result.output
    assert "Old Co (inactive)" in result.output
    linked = qbr("connectors", "discover", "halopsa", "--link-exact")
    assert "linked 1 record(s)" in linked.output
    assert "HaloPSA      23 (ACME Corporation)" in qbr("links").output


def test_a_month_synced_end_to_end(engine: Engine, month: Month, halo_world: dict[str, int], halo: FakeHaloPsa) -> None:
    result = qbr("sync", "--source", "halopsa", "--period", month.period)
    assert result.exit_code == 0, result.output
    assert "unmapped client 25 'Umbrella'" in result.output
    values = expected(halo, month)
    with Session(engine) as session:
        for organization, ids in ((ACME, ["23"]), (GLOBEX, ["24"]), (MSP, None)):
            want = {m: round_cents(v) for m, v in values.for_ids("halo", ids, CW_METRICS).items()}
            assert monthly(session, halo_world[organization], month.period, SOURCE) == want, organization
    acme = values.for_ids("halo", ["23"], CW_METRICS)
    # Each rule changed something: the child, the project ticket and last month's ticket are not reactive
    # tickets of this month; last month's hours and project hours do not count; the ended contract is lost MRR.
    assert acme["Reactive Tickets Created"] == 4
    assert (acme["Tickets With SLA"], acme["Tickets Met SLA"]) == (3, 2)
    assert acme["Reactive Hours"] == Decimal("2.75")
    assert values.for_ids("halo", ["24"], CW_METRICS)["Lost MRR"] == 800
    assert values.for_ids("halo", ["24"], CW_METRICS)["New MRR"] == 1000
    again = qbr("sync", "--source", "halopsa", "--period", month.period)
    assert "0 value(s) written" in again.output


def test_a_vendor_dying_mid_sync_writes_nothing(
    engine: Engine, month: Month, halo_world: dict[str, int], halo: FakeHaloPsa
) -> None:
    halo.die_after(4)  # the token and the tickets; then the server is gone before the hours are read
    result = qbr("sync", "--source", "halopsa", "--period", month.period)
    assert result.exit_code == 1
    assert f"HaloPSA {month.period}: FAILED, nothing written" in result.output
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(MetricMonthly)) == 0
        assert [r.status for r in session.scalars(select(SyncRun))] == ["failed"]
    halo.revive()
    assert qbr("sync", "--source", "halopsa", "--period", month.period).exit_code == 0
    with Session(engine) as session:
        assert monthly(session, halo_world[ACME], month.period, SOURCE)["Reactive Tickets Created"] == 4


def test_a_ticket_reads_either_spelling_and_the_unset_sentinel() -> None:
    ticket = HaloTicket.model_validate(
        {"id": 1, "dateoccured": "2024-01-05T10:00:00", "datecleared": UNSET, "fixbydate": "", "parent_id": 0}
    )
    assert ticket.dateoccurred == datetime(2024, 1, 5, 10, tzinfo=UTC)
    assert (ticket.dateclosed, ticket.fixbydate, ticket.is_parent) == (None, None, True)
