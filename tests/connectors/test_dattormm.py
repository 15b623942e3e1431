"""Datto RMM against its loopback fake: paging by nextPageUrl, the rate limit, token expiry, discovery and linking,
a month synced end to end with values computed here from the fake's records, and a vendor dying mid-sync."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fakes.dattormm import FakeDattoRmm
from fakes.month import Month
from qbr.connectors.dattormm.client import DattoRmmClient
from qbr.connectors.http import AuthenticationFailed, HttpOptions, MalformedResponse
from qbr.connectors.models import SyncRun
from qbr.metrics.models import MetricMonthly
from qbr.organizations.models import Organization
from tests.connectors.conftest import FakeClock, SleepRecorder, monthly, point_at, qbr
from tests.connectors.scenario import ACME, GLOBEX, MSP, Expected

METRICS = ("Endpoints Managed", "Seats Managed", "Patch Compliant Devices", "Unhealthy Devices")
SOURCE = "DattoRMM"


@pytest.fixture
def datto(clock: FakeClock) -> Iterator[FakeDattoRmm]:
    with FakeDattoRmm(clock=clock) as fake:
        yield fake


def fill(datto: FakeDattoRmm, month: Month) -> dict[str, str]:
    """Three sites; devices of every class, patch status and state the rules tell apart. Returns name → uid."""
    acme, globex, umbrella = datto.site("Acme Corp"), datto.site("Globex"), datto.site("Umbrella")
    long_ago = datetime.now(UTC) - timedelta(days=30)
    datto.device(acme, "Desktop")
    datto.device(acme, "Laptop", patch_status="ApprovedPending")
    datto.device(acme, "Laptop", online=False, last_seen=long_ago)  # offline for a month: unhealthy
    datto.device(acme, "Desktop", online=False, last_seen=datetime.now(UTC) - timedelta(hours=3))  # just off
    datto.device(acme, "Server", patch_status="InstallError")
    datto.device(acme, "Printer", device_class="printer", patch_status="NoPolicy")
    datto.device(acme, "Desktop", deleted=True)
    datto.device(acme, "Desktop", suspended=True)
    datto.device(acme, "Desktop", created=month.end + timedelta(hours=1))  # after the month
    datto.device(globex, "ESXi Host", device_class="esxihost", patch_status="NoData")
    datto.device(globex, "Server", patch_status="RebootRequired")
    datto.device(globex, "Network Device", device_class="rmmnetworkdevice")
    datto.device(umbrella, "Desktop")
    datto.device(umbrella, "Laptop", patch_status="InstallError")
    return {s["name"]: s["uid"] for s in datto.sites}


def expected(datto: FakeDattoRmm, month: Month) -> Expected:
    """The rules of README's Datto RMM section, applied to the fake's raw records."""
    result = Expected()
    week_ago_ms = (datetime.now(UTC) - timedelta(days=7)).timestamp() * 1000
    for d in datto.devices:
        managed = not d["deleted"] and not d["suspended"] and d["creationDate"] < month.end.timestamp() * 1000
        if not managed or d["deviceClass"] not in ("device", "esxihost"):
            continue
        site, status = d["siteUid"], d["patchManagement"]["patchStatus"]
        result.add("datto", site, "Endpoints Managed")
        if d["deviceType"]["category"] in ("Desktop", "Laptop"):
            result.add("datto", site, "Seats Managed")
        if status == "FullyPatched":
            result.add("datto", site, "Patch Compliant Devices")
        if (not d["online"] and d["lastSeen"] < week_ago_ms) or status == "InstallError":
            result.add("datto", site, "Unhealthy Devices")
    return result


@pytest.fixture
def datto_world(engine: Engine, month: Month, connector_env: pytest.MonkeyPatch, datto: FakeDattoRmm) -> dict[str, int]:
    point_at(connector_env, datto)
    uids = fill(datto, month)
    for args in (("orgs", "create", MSP, "--msp"), ("orgs", "create", ACME), ("orgs", "create", GLOBEX)):
        assert qbr(*args).exit_code == 0
    for name in (ACME, GLOBEX):
        result = qbr("link", name, "dattormm", uids[name])
        assert result.exit_code == 0, result.output
    with Session(engine) as session:
        return {o.name: o.id for o in session.scalars(select(Organization))}


def uid_of(datto: FakeDattoRmm, name: str) -> str:
    return str(next(s["uid"] for s in datto.sites if s["name"] == name))


def client(datto: FakeDattoRmm, options: HttpOptions, page_size: int = 250) -> DattoRmmClient:
    return DattoRmmClient(
        url=datto.url, api_key=datto.api_key, api_secret=datto.api_secret, options=options, page_size=page_size
    )


def test_pages_are_followed_by_next_page_url(datto: FakeDattoRmm, options: HttpOptions, month: Month) -> None:
    fill(datto, month)
    with client(datto, options, page_size=2) as api:
        sites = api.sites()
        devices = api.site_devices(sites[0].uid)
    assert [s.name for s in sites] == ["Acme Corp", "Globex", "Umbrella"]
    assert len(devices) == 9  # deleted ones too: the collector decides
    pages = [r for r in datto.requests if r.path.endswith("/devices")]
    assert [r.param("page") for r in pages] == ["0", "1", "2", "3", "4"]
    assert all(r.param("max") == "2" for r in pages)
    assert devices[0].creation_date == datetime(2023, 5, 1).astimezone()  # epoch milliseconds read as such


def test_a_next_page_on_another_server_is_refused(datto: FakeDattoRmm, options: HttpOptions) -> None:
    datto.site("Acme Corp")
    datto.site("Globex")
    datto.next_page_host = "evil.example"  # the link would carry our token elsewhere
    with client(datto, options, page_size=1) as api, pytest.raises(MalformedResponse, match="another server"):
        api.sites()


def test_the_rate_limit_is_honoured(datto: FakeDattoRmm, clock: FakeClock, sleeps: SleepRecorder, month: Month) -> None:
    fill(datto, month)
    datto.limit.limit = 3

    def wait(seconds: float) -> None:
        sleeps(seconds)
        clock.advance(seconds)

    options = HttpOptions(sleep=wait, clock=clock)
    with client(datto, options, page_size=2) as api:
        devices = [d for s in api.sites() for d in api.site_devices(s.uid)]
    assert len(devices) == len(datto.devices)
    assert datto.throttled >= 2
    assert sleeps.waits
    assert all(w >= 1 for w in sleeps.waits)  # the Retry-After of each 429, not a blind backoff
    assert sum(sleeps.waits) >= 60 * (datto.throttled // 2)


def test_an_expired_token_is_renewed(datto: FakeDattoRmm, options: HttpOptions, clock: FakeClock) -> None:
    datto.site("Acme Corp")
    with client(datto, options) as api:
        api.sites()
        clock.advance(100 * 3600 + 1)  # the documented 100 hours
        api.sites()
        datto.revoke_tokens()  # an early revocation: one 401, one new token
        assert [s.name for s in api.sites()] == ["Acme Corp"]
    assert datto.tokens_issued == 3
    token_requests = [r for r in datto.requests if r.path == "/auth/oauth/token"]
    assert all(r.form()["grant_type"] == "password" for r in token_requests)


def test_wrong_credentials_name_the_settings(datto: FakeDattoRmm, options: HttpOptions) -> None:
    api = DattoRmmClient(url=datto.url, api_key="datto-key", api_secret="wrong", options=options)
    with api, pytest.raises(AuthenticationFailed, match=r"Bad credentials.*QBR_DATTORMM_API_KEY"):
        api.sites()


def test_discovery_suggests_and_links_sites(
    engine: Engine, connector_env: pytest.MonkeyPatch, datto: FakeDattoRmm
) -> None:
    point_at(connector_env, datto)
    for name in ("Acme Corp", "Globex"):
        assert qbr("orgs", "create", name).exit_code == 0
    acme = datto.site("Acme Corp", autotask_company_id="29683")
    datto.site("Globex Inc")
    datto.site("Umbrella")
    result = qbr("connectors", "discover", "dattormm")
    assert result.exit_code == 0, result.output
    assert f'qbr link "Acme Corp" dattormm {acme["uid"]}' in result.output
    assert "Autotask company 29683" in result.output
    assert "Umbrella" in result.output
    linked = qbr("connectors", "discover", "dattormm", "--link-exact")
    assert "linked 2 record(s)" in linked.output  # "Globex Inc" is Globex once legal suffixes are set aside
    assert f"DattoRMM     {acme['uid']} (Acme Corp)" in qbr("links").output


def test_a_month_synced_end_to_end(
    engine: Engine, month: Month, datto_world: dict[str, int], datto: FakeDattoRmm
) -> None:
    result = qbr("sync", "--source", "dattormm", "--period", month.period)
    assert result.exit_code == 0, result.output
    assert "unmapped site" in result.output
    assert "Umbrella" in result.output
    values = expected(datto, month)
    acme_uid, globex_uid = uid_of(datto, ACME), uid_of(datto, GLOBEX)
    with Session(engine) as session:
        acme = monthly(session, datto_world[ACME], month.period, SOURCE)
        assert acme == values.for_ids("datto", [acme_uid], METRICS)
        assert monthly(session, datto_world[GLOBEX], month.period, SOURCE) == values.for_ids(
            "datto", [globex_uid], METRICS
        )
        assert monthly(session, datto_world[MSP], month.period, SOURCE) == values.for_ids("datto", None, METRICS)
    # Each rule changed something: not the printer, the deleted, suspended or future device, nor one just offline.
    assert acme == {
        "Endpoints Managed": Decimal(5),
        "Seats Managed": Decimal(4),
        "Patch Compliant Devices": Decimal(3),
        "Unhealthy Devices": Decimal(2),
    }
    again = qbr("sync", "--source", "dattormm", "--period", month.period)
    assert "0 value(s) written" in again.output


def test_throttling_during_a_sync_is_waited_out(
    engine: Engine, month: Month, connector_env: pytest.MonkeyPatch
) -> None:
    with FakeDattoRmm(clock=time.monotonic, rate_limit=3, rate_window=1.0) as fake:
        point_at(connector_env, fake)
        fill(fake, month)
        assert qbr("orgs", "create", MSP, "--msp").exit_code == 0
        result = qbr("sync", "--source", "dattormm", "--period", month.period)
        assert result.exit_code == 0, result.output
        assert fake.throttled >= 1
    with Session(engine) as session:
        assert [r.status for r in session.scalars(select(SyncRun))] == ["succeeded"]


def test_a_vendor_dying_mid_sync_writes_nothing(
    engine: Engine, month: Month, datto_world: dict[str, int], datto: FakeDattoRmm
) -> None:
    datto.die_after(3)  # the token, the sites and the first site's devices; then the server is gone
    result = qbr("sync", "--source", "dattormm", "--period", month.period)
    assert result.exit_code == 1
    assert f"DattoRMM {month.period}: FAILED, nothing written" in result.output
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(MetricMonthly))
        assert count == 0
        (run,) = session.scalars(select(SyncRun)).all()
        assert (run.status, run.rows_written) == ("failed", 0)
    datto.revive()
    assert qbr("sync", "--source", "dattormm", "--period", month.period).exit_code == 0
    with Session(engine) as session:
        assert monthly(session, datto_world[ACME], month.period, SOURCE)["Endpoints Managed"] == 5
