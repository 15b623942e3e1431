"""The NinjaOne client against the fake server: tokens (expiry, renewal, one retry on 401), both paging schemes,
device filters and time windows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fakes.ninjaone import FakeNinjaOne
from qbr.connectors.http import AuthenticationFailed, HttpOptions
from qbr.connectors.ninjaone.client import NinjaOneClient, device_filter
from tests.connectors.conftest import FakeClock, SleepRecorder

JANUARY = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))


def client_for(
    fake: FakeNinjaOne, options: HttpOptions, *, secret: str = "ninja-secret", page_size: int = 1000
) -> NinjaOneClient:
    return NinjaOneClient(
        url=fake.url, client_id="ninja-client", client_secret=secret, options=options, page_size=page_size
    )


def test_after_key_paging_reads_every_organization(ninjaone: FakeNinjaOne, options: HttpOptions) -> None:
    for org_id in (1, 2, 3, 4, 5):
        ninjaone.organization(org_id, f"Org {org_id}")
    with client_for(ninjaone, options, page_size=2) as client:
        organizations = client.organizations()
    assert [o.id for o in organizations] == [1, 2, 3, 4, 5]
    pages = [r for r in ninjaone.requests if r.path == "/v2/organizations"]
    assert [r.param("after") for r in pages] == [None, "2", "4"]


def test_device_filter_selects_organizations(ninjaone: FakeNinjaOne, options: HttpOptions) -> None:
    acme, globex, initech = (ninjaone.organization(i, n) for i, n in ((1, "Acme"), (2, "Globex"), (3, "Initech")))
    for org in (acme, globex, initech):
        ninjaone.device(org, "WINDOWS_WORKSTATION")
    with client_for(ninjaone, options) as client:
        assert {d.organization_id for d in client.devices([1, 3])} == {1, 3}
        assert {d.organization_id for d in client.devices([2])} == {2}
        assert len(client.devices()) == 3
    assert device_filter([3, 1]) == "organization in (1,3)"
    assert device_filter([2]) == "org = 2"


def test_cursor_paging_follows_the_named_cursor(ninjaone: FakeNinjaOne, options: HttpOptions) -> None:
    acme = ninjaone.organization(1, "Acme")
    devices = [ninjaone.device(acme, "WINDOWS_SERVER", health="UNHEALTHY" if i % 2 else "HEALTHY") for i in range(5)]
    with client_for(ninjaone, options, page_size=2) as client:
        health = client.device_health([1])
    assert sorted(h.device_id for h in health) == sorted(d["id"] for d in devices)
    assert sum(h.health_status == "UNHEALTHY" for h in health) == 2
    pages = [r for r in ninjaone.requests if r.path == "/v2/queries/device-health"]
    assert len(pages) == 3
    assert pages[0].param("cursor") is None
    assert pages[1].param("cursor") == pages[2].param("cursor") is not None


def test_patch_installs_and_backups_are_limited_to_the_window(ninjaone: FakeNinjaOne, options: HttpOptions) -> None:
    device = ninjaone.device(ninjaone.organization(1, "Acme"), "WINDOWS_WORKSTATION")
    ninjaone.patch_install(device, datetime(2024, 1, 10, tzinfo=UTC))
    ninjaone.patch_install(device, datetime(2024, 1, 11, tzinfo=UTC), status="FAILED")
    ninjaone.patch_install(device, datetime(2024, 2, 1, tzinfo=UTC))  # February
    ninjaone.backup_job(device, datetime(2024, 1, 31, 23, 0, tzinfo=UTC))
    ninjaone.backup_job(device, datetime(2023, 12, 31, 23, 0, tzinfo=UTC))
    with client_for(ninjaone, options) as client:
        assert len(client.os_patch_installs("INSTALLED", *JANUARY, [1])) == 1
        assert len(client.os_patch_installs("FAILED", *JANUARY, [1])) == 1
        (job,) = client.backup_jobs(*JANUARY)
    assert job.job_start_time == datetime(2024, 1, 31, 23, 0, tzinfo=UTC)
    assert ninjaone.requests[-1].param("stf") == "startTime between(2024-01-01T00:00:00.000Z,2024-02-01T00:00:00.000Z)"


def test_token_is_reused_and_renewed_before_it_expires(
    ninjaone: FakeNinjaOne, options: HttpOptions, clock: FakeClock
) -> None:
    ninjaone.organization(1, "Acme")
    with client_for(ninjaone, options) as client:
        client.organizations()
        client.organizations()
        assert ninjaone.tokens_issued == 1
        clock.advance(3600 - 30)  # inside the renewal margin, still valid on the server
        client.organizations()
        assert ninjaone.tokens_issued == 2
    assert not [r for r in ninjaone.requests if r.path.startswith("/v2") and r.headers.get("authorization") is None]


def test_a_revoked_token_is_renewed_once_on_401(ninjaone: FakeNinjaOne, options: HttpOptions) -> None:
    ninjaone.organization(1, "Acme")
    with client_for(ninjaone, options) as client:
        client.organizations()
        ninjaone.revoke_tokens()
        assert [o.id for o in client.organizations()] == [1]
    assert ninjaone.tokens_issued == 2


def test_a_second_401_is_a_real_refusal(ninjaone: FakeNinjaOne, options: HttpOptions) -> None:
    ninjaone.token_lifetime = 0  # every token is dead on arrival
    with client_for(ninjaone, options) as client, pytest.raises(AuthenticationFailed, match="401"):
        client.organizations()
    assert len([r for r in ninjaone.requests if r.path == "/v2/organizations"]) == 2


def test_wrong_client_secret_names_the_settings(
    ninjaone: FakeNinjaOne, options: HttpOptions, sleeps: SleepRecorder
) -> None:
    with client_for(ninjaone, options, secret="wrong") as client, pytest.raises(AuthenticationFailed) as caught:
        client.organizations()
    assert "invalid_client" in str(caught.value)
    assert "QBR_NINJAONE_CLIENT_SECRET" in str(caught.value) or "QBR_NINJAONE_CLIENT_ID/SECRET" in str(caught.value)
    assert sleeps.waits == []


def test_token_endpoint_outages_are_retried(
    ninjaone: FakeNinjaOne, options: HttpOptions, sleeps: SleepRecorder
) -> None:
    ninjaone.organization(1, "Acme")
    ninjaone.fail_next(1, status=503, path_contains="/ws/oauth/token")
    ninjaone.fail_next(1, status=429, headers={"Retry-After": "2"}, path_contains="/v2/organizations")
    with client_for(ninjaone, options) as client:
        assert len(client.organizations()) == 1
    assert len(sleeps.waits) == 2
    assert sleeps.waits[1] == 2.0
