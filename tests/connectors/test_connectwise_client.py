"""The ConnectWise client against the fake server: auth, conditions, Link-header paging, retries and errors."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from fakes.connectwise import FakeConnectWise
from qbr.connectors.connectwise.client import ConnectWiseClient
from qbr.connectors.connectwise.conditions import all_of, one_of, within
from qbr.connectors.http import (
    AuthenticationFailed,
    HttpOptions,
    MalformedResponse,
    RequestRejected,
    RetryPolicy,
    VendorUnavailable,
)
from tests.connectors.conftest import SleepRecorder

JANUARY = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))


def client_for(
    fake: FakeConnectWise, policy: RetryPolicy, sleeps: SleepRecorder, **overrides: object
) -> ConnectWiseClient:
    settings: dict[str, object] = {
        "url": fake.api_url,
        "company_id": "brightit",
        "public_key": "pub-key",
        "private_key": "priv-key",
        "client_id": "0a1b2c3d-client-guid",
        "options": HttpOptions(policy=policy, sleep=sleeps),
    }
    settings.update(overrides)
    return ConnectWiseClient(**settings)  # type: ignore[arg-type]


def test_conditions_are_applied_on_the_server(
    connectwise: FakeConnectWise, policy: RetryPolicy, sleeps: SleepRecorder
) -> None:
    acme = connectwise.company(23, "Acme Corp")
    in_january = connectwise.ticket(acme, "2024-01-04T09:46:58Z")
    connectwise.ticket(acme, "2023-12-31T23:59:59Z")  # December
    connectwise.ticket(acme, "2024-02-01T00:00:00Z")  # February: the end is exclusive
    connectwise.ticket(acme, "2024-01-10T10:00:00Z", board="Projects")
    child = connectwise.ticket(acme, "2024-01-11T10:00:00Z", parent_ticket_id=in_january["id"])
    conditions = all_of(within("dateEntered", *JANUARY), one_of("board/name", ["Help Desk"]), "parentTicketId = null")
    with client_for(connectwise, policy, sleeps) as client:
        tickets = client.tickets(conditions)
        assert [t.id for t in tickets] == [in_january["id"]]
        assert tickets[0].date_entered == datetime(2024, 1, 4, 9, 46, 58, tzinfo=UTC)
        assert tickets[0].company is not None
        assert tickets[0].company.id == 23
        assert client.count("/service/tickets", conditions=within("dateEntered", *JANUARY)) == 3
    assert child["id"] not in [t.id for t in tickets]
    sent = connectwise.requests[0]
    assert sent.param("conditions") == conditions
    assert sent.headers["clientid"] == "0a1b2c3d-client-guid"


def test_link_header_paging_reads_every_page(
    connectwise: FakeConnectWise, policy: RetryPolicy, sleeps: SleepRecorder
) -> None:
    acme = connectwise.company(23, "Acme Corp")
    created = [connectwise.ticket(acme, f"2024-01-{day:02d}T12:00:00Z") for day in range(1, 8)]
    with client_for(connectwise, policy, sleeps, page_size=3) as client:
        tickets = client.tickets(within("dateEntered", *JANUARY))
    assert [t.id for t in tickets] == [t["id"] for t in created]
    assert [r.param("page") for r in connectwise.requests] == ["1", "2", "3"]
    # Every page keeps the filter: the next link carries it.
    assert {r.param("conditions") for r in connectwise.requests} == {within("dateEntered", *JANUARY)}


def test_time_entries_and_agreements_are_typed(
    connectwise: FakeConnectWise, policy: RetryPolicy, sleeps: SleepRecorder
) -> None:
    acme = connectwise.company(23, "Acme Corp")
    ticket = connectwise.ticket(acme, "2024-01-04T09:00:00Z")
    connectwise.time_entry(ticket, "2024-01-04T10:00:00Z", "1.25")
    connectwise.agreement(acme, "2024-01-15T00:00:00Z", "1500.00", cancelled="2024-03-01T00:00:00Z")
    with client_for(connectwise, policy, sleeps) as client:
        (entry,) = client.time_entries(within("timeStart", *JANUARY))
        (agreement,) = client.agreements()
        companies = client.companies()
    assert (entry.charge_to_id, entry.charge_to_type, entry.actual_hours) == (
        ticket["id"],
        "ServiceTicket",
        Decimal("1.25"),
    )
    assert agreement.bill_amount == Decimal("1500.00")
    assert agreement.cancelled_flag
    assert [(c.id, c.name) for c in companies] == [(23, "Acme Corp")]


@pytest.mark.parametrize(
    "overrides", [{"private_key": "wrong"}, {"client_id": "other-guid"}, {"company_id": "someoneelse"}]
)
def test_bad_credentials_are_refused(
    connectwise: FakeConnectWise, policy: RetryPolicy, sleeps: SleepRecorder, overrides: dict[str, str]
) -> None:
    with client_for(connectwise, policy, sleeps, **overrides) as client, pytest.raises(AuthenticationFailed) as caught:
        client.check()
    assert "401" in str(caught.value)
    assert sleeps.waits == []  # a refusal is not retried


def test_429_waits_as_long_as_retry_after_says(
    connectwise: FakeConnectWise, policy: RetryPolicy, sleeps: SleepRecorder
) -> None:
    connectwise.company(23, "Acme Corp")
    connectwise.fail_next(
        2, status=429, headers={"Retry-After": "7"}, body={"code": "TooManyRequests", "message": "slow down"}
    )
    with client_for(connectwise, policy, sleeps) as client:
        assert len(client.companies()) == 1
    assert sleeps.waits == [7.0, 7.0]


def test_5xx_backs_off_exponentially_then_succeeds(
    connectwise: FakeConnectWise, policy: RetryPolicy, sleeps: SleepRecorder
) -> None:
    connectwise.company(23, "Acme Corp")
    connectwise.fail_next(3, status=503)
    with client_for(connectwise, policy, sleeps) as client:
        assert len(client.companies()) == 1
    assert len(sleeps.waits) == 3
    # 0.5, 1, 2 seconds plus up to 0.5 s of jitter each
    for wait, base in zip(sleeps.waits, (0.5, 1.0, 2.0), strict=True):
        assert base <= wait <= base + 0.5


def test_a_server_that_keeps_failing_gives_up_with_the_reason(
    connectwise: FakeConnectWise, policy: RetryPolicy, sleeps: SleepRecorder
) -> None:
    connectwise.fail_next(100, status=500, body={"code": "Internal", "message": "database offline"})
    with client_for(connectwise, policy, sleeps) as client, pytest.raises(VendorUnavailable) as caught:
        client.companies()
    assert len(connectwise.requests) == policy.attempts
    assert "database offline" in str(caught.value)
    assert "HTTP 500" in str(caught.value)


def test_dropped_connections_and_timeouts_are_retried(connectwise: FakeConnectWise, sleeps: SleepRecorder) -> None:
    connectwise.company(23, "Acme Corp")
    connectwise.drop_next(1)
    connectwise.delay_next(1, 1.0)
    quick = RetryPolicy(attempts=3, initial_wait=0.01, max_wait=0.01, timeout=0.2)
    with client_for(connectwise, quick, sleeps) as client:
        assert len(client.companies()) == 1
    assert len(sleeps.waits) == 2


def test_malformed_json_is_reported_not_retried(
    connectwise: FakeConnectWise, policy: RetryPolicy, sleeps: SleepRecorder
) -> None:
    connectwise.malformed_next(1)
    with client_for(connectwise, policy, sleeps) as client, pytest.raises(MalformedResponse, match="not JSON"):
        client.companies()
    assert sleeps.waits == []


def test_vendor_error_message_is_kept(connectwise: FakeConnectWise, policy: RetryPolicy, sleeps: SleepRecorder) -> None:
    with client_for(connectwise, policy, sleeps) as client, pytest.raises(RequestRejected) as caught:
        client.tickets('board/name = "unterminated')
    assert caught.value.status_code == 400
    assert "conditions is invalid" in str(caught.value)


def test_a_retry_after_longer_than_a_sync_waits_gives_up(connectwise: FakeConnectWise, sleeps: SleepRecorder) -> None:
    connectwise.fail_next(1, status=429, headers={"Retry-After": "3600"})
    client = client_for(connectwise, RetryPolicy(max_retry_after=60), sleeps)
    with client, pytest.raises(VendorUnavailable, match="3600 s"):
        client.companies()
    assert sleeps.waits == []


def test_next_links_to_another_server_are_not_followed(policy: RetryPolicy, sleeps: SleepRecorder) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json=[{"id": 1, "name": "A"}], headers={"Link": '<https://evil.example/x?page=2>; rel="next"'}
        )

    client = ConnectWiseClient(
        url="https://cw.example/v4_6_release/apis/3.0",
        company_id="c",
        public_key="p",
        private_key="k",
        client_id="id",
        options=HttpOptions(transport=httpx.MockTransport(answer), policy=policy, sleep=sleeps),
    )
    with client, pytest.raises(MalformedResponse, match="another server"):
        client.companies()
