"""Autotask PSA against its loopback fake: zone discovery, query paging by nextPageUrl, the request limit, refused
credentials, discovery and linking, a month synced end to end with values computed here from the fake's records,
and a vendor dying mid-sync."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fakes.autotask import COMPLETE, HELP_DESK_QUEUE, RECURRING_SERVICE, FakeAutotask
from fakes.month import Month
from qbr.connectors.autotask.client import AutotaskClient, discover_zone
from qbr.connectors.autotask.collect import METRICS
from qbr.connectors.http import AuthenticationFailed, HttpOptions, RequestRejected, RetryPolicy
from qbr.connectors.models import SyncRun
from qbr.core.numbers import round_cents
from qbr.metrics.models import MetricMonthly
from qbr.organizations.models import Organization
from tests.connectors.conftest import FakeClock, SleepRecorder, monthly, point_at, qbr
from tests.connectors.scenario import ACME, GLOBEX, MSP, Expected

SOURCE = "Autotask"
LINKS = {"23": ACME, "24": GLOBEX}  # 25 Umbrella stays unlinked


@pytest.fixture
def autotask(clock: FakeClock) -> Iterator[FakeAutotask]:
    with FakeAutotask(clock=clock) as fake:
        yield fake


def fill(at: FakeAutotask, month: Month) -> None:
    acme, globex, umbrella = at.company(23, "Acme Corp"), at.company(24, "Globex"), at.company(25, "Umbrella")
    at.company(26, "Initech", company_type=2)
    a1 = at.ticket(acme, month.at(1), completed=month.at(2), sla_met=True)
    a2 = at.ticket(acme, month.at(3), completed=month.at(10), sla_met=False)
    at.ticket(acme, month.at(5))
    a4 = at.ticket(acme, month.at(hours=-1), completed=month.at(hours=1), sla_met=True)  # created last month
    project = at.ticket(acme, month.at(1), completed=month.at(2), queue=999)
    at.ticket(acme, month.end - timedelta(hours=1), completed=month.end + timedelta(hours=1))
    g1 = at.ticket(globex, month.at(2), completed=month.at(3))  # no SLA
    u1 = at.ticket(umbrella, month.at(1), completed=month.at(2), sla_met=True)
    old = at.ticket(acme, month.at(-5))
    first = month.day(1)
    at.time_entry(old, first - timedelta(days=1), "4")  # last month's last day
    at.time_entry(old, month.day(4), "0.5")
    at.time_entry(a1, first, "1.5")  # the month's first day: midnight UTC, hours before it starts in New York
    at.time_entry(a4, first, "0.75")
    at.time_entry(a2, (month.end - timedelta(days=1)).date(), "1")  # the last day
    at.time_entry(project, month.day(2), "2")
    at.time_entry(g1, month.day(3), "2.25")
    at.time_entry(u1, month.day(2), "1")
    long_ago = date(2020, 1, 1)
    at.contract(acme, long_ago)
    at.contract(acme, month.day(11))
    at.contract(acme, long_ago, contract_type=1)  # time and materials: not managed services
    at.contract(globex, month.day(2))
    at.contract(globex, long_ago, end=month.day(15))
    at.contract(umbrella, long_ago)
    at.contract(umbrella, long_ago, end=date(2021, 6, 30))


def expected(at: FakeAutotask, month: Month) -> Expected:
    """README's Autotask rules applied to the fake's raw records."""
    result = Expected()

    def when(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None

    tickets = at.entities["Tickets"]
    for t in tickets:
        company, created, completed = str(t["companyID"]), when(t["createDate"]), when(t["completedDate"])
        if t["queueID"] != HELP_DESK_QUEUE:
            continue
        if created and month.contains(created):
            result.add("at", company, "Reactive Tickets Created")
        if t["status"] == COMPLETE and completed and month.contains(completed):
            result.add("at", company, "Reactive Tickets Closed")
            if t["serviceLevelAgreementHasBeenMet"] is not None:
                result.add("at", company, "Tickets With SLA")
                if t["serviceLevelAgreementHasBeenMet"]:
                    result.add("at", company, "Tickets Met SLA")
    by_id = {t["id"]: t for t in tickets}
    first, last = month.start.date(), (month.end - timedelta(days=1)).date()
    for e in at.entities["TimeEntries"]:
        ticket, worked = by_id[e["ticketID"]], date.fromisoformat(e["dateWorked"][:10])
        if ticket["queueID"] == HELP_DESK_QUEUE and first <= worked <= last:
            result.add("at", str(ticket["companyID"]), "Reactive Hours", Decimal(str(e["hoursWorked"])))
    for c in at.entities["Contracts"]:
        started = date.fromisoformat(c["startDate"][:10])
        ended = date.fromisoformat(c["endDate"][:10]) if c["endDate"] else None
        if c["contractType"] != RECURRING_SERVICE or started > last:
            continue
        if ended is None or ended > last:
            result.add("at", str(c["companyID"]), "Managed Services Agreements")
        if first <= started <= last:
            result.add("at", str(c["companyID"]), "New Agreements")
    return result


@pytest.fixture
def autotask_world(
    engine: Engine, month: Month, connector_env: pytest.MonkeyPatch, autotask: FakeAutotask
) -> dict[str, int]:
    point_at(connector_env, autotask)
    connector_env.setenv("QBR_AUTOTASK_REACTIVE_QUEUE_IDS", str(HELP_DESK_QUEUE))
    fill(autotask, month)
    for args in (("orgs", "create", MSP, "--msp"), ("orgs", "create", ACME), ("orgs", "create", GLOBEX)):
        assert qbr(*args).exit_code == 0
    for external_id, name in LINKS.items():
        result = qbr("link", name, "autotask", external_id)
        assert result.exit_code == 0, result.output
    with Session(engine) as session:
        return {o.name: o.id for o in session.scalars(select(Organization))}


def client(at: FakeAutotask, options: HttpOptions, page_size: int = 500, secret: str | None = None) -> AutotaskClient:
    return AutotaskClient(
        zone_url=discover_zone(at.discovery_url, at.username, options),
        username=at.username,
        secret=secret or at.secret,
        integration_code=at.integration_code,
        options=options,
        page_size=page_size,
    )


def test_zone_discovery_and_query_pages(autotask: FakeAutotask, options: HttpOptions, month: Month) -> None:
    fill(autotask, month)
    with client(autotask, options, page_size=2) as api:
        tickets = api.tickets([{"op": "exist", "field": "id"}])
        by_id = api.tickets_by_id([t.id for t in tickets[:3]])
    assert len(tickets) == len(autotask.entities["Tickets"])
    assert [t.id for t in by_id] == [t.id for t in tickets[:3]]
    assert autotask.requests[0].path == "/atservicesrest/v1.0/zoneInformation"
    follow_ups = [r for r in autotask.requests if r.path.endswith("/query/next")]
    # Pages of two: every page after the first is a GET of nextPageUrl; the three ids need one more.
    assert len(follow_ups) == (math.ceil(len(tickets) / 2) - 1) + 1
    assert all(r.headers["apiintegrationcode"] == autotask.integration_code for r in follow_ups)


def test_an_unknown_user_and_a_wrong_secret_are_refused(autotask: FakeAutotask, options: HttpOptions) -> None:
    with pytest.raises(RequestRejected, match="Zone information could not be determined"):
        discover_zone(autotask.discovery_url, "nobody@example.com", options)
    autotask.company(23, "Acme Corp")
    with client(autotask, options, secret="wrong") as api, pytest.raises(AuthenticationFailed, match="HTTP 401"):
        api.companies()


def test_the_request_limit_is_waited_out(
    autotask: FakeAutotask, clock: FakeClock, sleeps: SleepRecorder, month: Month
) -> None:
    fill(autotask, month)
    autotask.limit.limit, autotask.limit.window = 2, 5.0

    def wait(seconds: float) -> None:
        sleeps(seconds)
        clock.advance(seconds)

    options = HttpOptions(policy=RetryPolicy(attempts=6, initial_wait=1.0, max_wait=8.0), sleep=wait, clock=clock)
    with client(autotask, options, page_size=3) as api:
        tickets = api.tickets([{"op": "exist", "field": "id"}])
    assert len(tickets) == len(autotask.entities["Tickets"])
    assert autotask.limit.refused >= 1
    assert sleeps.waits  # no Retry-After from Autotask: exponential backoff until the window frees


def test_discovery_suggests_and_links_companies(
    engine: Engine, connector_env: pytest.MonkeyPatch, autotask: FakeAutotask
) -> None:
    point_at(connector_env, autotask)
    assert qbr("orgs", "create", "Acme Corp").exit_code == 0
    autotask.company(23, "Acme Corporation")
    autotask.company(26, "Initech", company_type=2, active=False)
    result = qbr("connectors", "discover", "autotask")
    assert result.exit_code == 0, result.output
    assert 'qbr link "Acme Corp" autotask 23' in result.output
    assert "Initech (lead, inactive)" in result.output
    linked = qbr("connectors", "discover", "autotask", "--link-exact")
    assert "linked 1 record(s)" in linked.output
    assert "Autotask     23 (Acme Corporation)" in qbr("links").output


def test_a_month_synced_end_to_end(
    engine: Engine, month: Month, autotask_world: dict[str, int], autotask: FakeAutotask
) -> None:
    result = qbr("sync", "--source", "autotask", "--period", month.period)
    assert result.exit_code == 0, result.output
    assert "unmapped company 25 'Umbrella'" in result.output
    values = expected(autotask, month)
    with Session(engine) as session:
        for organization, ids in ((ACME, ["23"]), (GLOBEX, ["24"]), (MSP, None)):
            want = {m: round_cents(v) for m, v in values.for_ids("at", ids, METRICS).items()}
            assert monthly(session, autotask_world[organization], month.period, SOURCE) == want, organization
    acme = values.for_ids("at", ["23"], METRICS)
    assert acme["Reactive Tickets Created"] == 4  # not last month's, not the project queue's
    assert acme["Reactive Hours"] == Decimal("3.75")  # 0.5 + 1.5 + 0.75 + 1: the first and last days count
    assert (acme["Tickets With SLA"], acme["Tickets Met SLA"]) == (3, 2)
    assert values.for_ids("at", ["24"], METRICS)["Managed Services Agreements"] == 1
    again = qbr("sync", "--source", "autotask", "--period", month.period)
    assert "0 value(s) written" in again.output


def test_a_vendor_dying_mid_sync_writes_nothing(
    engine: Engine, month: Month, autotask_world: dict[str, int], autotask: FakeAutotask
) -> None:
    autotask.die_after(4)  # the zone, the companies and the tickets; then the server is gone
    result = qbr("sync", "--source", "autotask", "--period", month.period)
    assert result.exit_code == 1
    assert f"Autotask {month.period}: FAILED, nothing written" in result.output
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(MetricMonthly)) == 0
        assert [r.status for r in session.scalars(select(SyncRun))] == ["failed"]
    autotask.revive()
    assert qbr("sync", "--source", "autotask", "--period", month.period).exit_code == 0
    with Session(engine) as session:
        assert monthly(session, autotask_world[ACME], month.period, SOURCE)["Reactive Tickets Created"] == 4
