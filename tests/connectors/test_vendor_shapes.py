"""Records shaped exactly like the vendors' real ones, which the scenario does not carry: NinjaOne devices awaiting
approval, added after the month, or deleted since their backup jobs ran; ConnectWise names with trailing blanks."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fakes.connectwise import FakeConnectWise
from fakes.cw_conditions import parse_conditions
from fakes.month import Month, iso
from fakes.ninjaone import FakeNinjaOne
from qbr.periods.calendar import parse_period
from tests.connectors import scenario
from tests.connectors.conftest import monthly, qbr
from tests.connectors.scenario import ACME

SNAPSHOTS = ("Endpoints Managed", "Seats Managed", "Patch Compliant Devices", "Unhealthy Devices")


def _synced(engine: Engine, organization: int, source: str, period: str) -> dict[str, Decimal]:
    result = qbr("sync", "--source", source.lower(), "--period", period)
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        return monthly(session, organization, period, source)


def _acme_in_ninjaone(ninjaone: FakeNinjaOne) -> dict[str, Any]:
    (acme,) = [o for o in ninjaone.organizations if scenario.NINJA_LINKS.get(str(o["id"])) == ACME]
    return acme


# --- NinjaOne ------------------------------------------------------------------------------------------------------


def test_devices_awaiting_approval_are_not_managed(
    engine: Engine, month: Month, world: dict[str, int], ninjaone: FakeNinjaOne
) -> None:
    before = _synced(engine, world[ACME], "NinjaOne", month.period)
    acme = _acme_in_ninjaone(ninjaone)
    for node_class in ("WINDOWS_WORKSTATION", "WINDOWS_SERVER"):
        pending = ninjaone.device(acme, node_class, health="UNHEALTHY", approval="PENDING")
        assert pending["approvalStatus"] == "PENDING"
    after = _synced(engine, world[ACME], "NinjaOne", month.period)
    assert {m: after[m] for m in SNAPSHOTS} == {m: before[m] for m in SNAPSHOTS}
    # Approved, the same kind of device counts at once: the rule is the approval, not the device.
    ninjaone.device(acme, "WINDOWS_WORKSTATION", health="UNHEALTHY")
    approved = _synced(engine, world[ACME], "NinjaOne", month.period)
    assert {m: approved[m] - before[m] for m in SNAPSHOTS} == dict.fromkeys(SNAPSHOTS, 1)


def test_unhealthy_devices_added_after_the_month_do_not_count(
    engine: Engine, month: Month, world: dict[str, int], ninjaone: FakeNinjaOne
) -> None:
    before = _synced(engine, world[ACME], "NinjaOne", month.period)
    ninjaone.device(
        _acme_in_ninjaone(ninjaone), "WINDOWS_WORKSTATION", health="UNHEALTHY", created=month.end.timestamp() + 3600
    )
    after = _synced(engine, world[ACME], "NinjaOne", month.period)
    assert {m: after[m] for m in SNAPSHOTS} == {m: before[m] for m in SNAPSHOTS}


def test_backup_jobs_of_devices_deleted_since_still_count(
    engine: Engine, month: Month, world: dict[str, int], ninjaone: FakeNinjaOne
) -> None:
    old = parse_period(month.period).shift(-3)
    noon = datetime.combine(old.start_date + timedelta(days=9), time(12), ZoneInfo(scenario.TIMEZONE))
    retired = ninjaone.device(_acme_in_ninjaone(ninjaone), "WINDOWS_SERVER")
    ninjaone.backup_job(retired, noon)
    ninjaone.backup_job(retired, noon + timedelta(days=1), "FAILED")
    ninjaone.delete_device(retired)
    values = _synced(engine, world[ACME], "NinjaOne", old.value)
    assert (values["Backup Jobs Total"], values["Backup Jobs Succeeded"]) == (2, 1)
    (asked,) = [r for r in ninjaone.requests if r.path == "/v2/backup/jobs"]
    assert asked.param("include") == "all"


def test_the_fake_lists_only_active_devices_jobs_unless_asked(ninjaone: FakeNinjaOne) -> None:
    """As the API specification says: include = active | deleted | all, default active."""
    acme = ninjaone.organization(1, "Acme")
    kept, retired = ninjaone.device(acme, "WINDOWS_SERVER"), ninjaone.device(acme, "WINDOWS_SERVER")
    for device in (kept, retired):
        ninjaone.backup_job(device, datetime(2024, 1, 10, tzinfo=ZoneInfo("UTC")))
    ninjaone.delete_device(retired)
    with httpx.Client(base_url=ninjaone.url) as http:
        token = http.post(
            "/ws/oauth/token",
            data={"grant_type": "client_credentials", "client_id": "ninja-client", "client_secret": "ninja-secret"},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        def devices(include: str | None) -> list[int]:
            params = {"include": include} if include else {}
            body = http.get("/v2/backup/jobs", params=params, headers=headers).json()
            return [job["deviceId"] for job in body["results"]]

        assert devices(None) == devices("active") == [kept["id"]]
        assert devices("deleted") == [retired["id"]]
        assert devices("all") == [kept["id"], retired["id"]]
        refused = http.get("/v2/backup/jobs", params={"include": "everything"}, headers=headers)
    assert refused.status_code == 400


# --- ConnectWise ---------------------------------------------------------------------------------------------------


def test_agreement_types_match_whatever_their_trailing_blanks_and_case(
    engine: Engine, month: Month, world: dict[str, int], connectwise: FakeConnectWise
) -> None:
    assert qbr("connectors", "set", "connectwise", "agreement_types=Managed Services, tímapottur").exit_code == 0
    before = _synced(engine, world[ACME], "ConnectWise", month.period)
    (acme,) = [c for c in connectwise.collections["company/companies"] if c["name"] == ACME]
    agreement = connectwise.agreement(acme, f"{month.day(3).isoformat()}T00:00:00Z", "700", type_name="Tímapottur ")
    assert agreement["type"]["name"] == "Tímapottur "  # as a real agreement type is stored
    after = _synced(engine, world[ACME], "ConnectWise", month.period)
    changed = {m: after[m] - before[m] for m in after if after[m] != before[m]}
    assert changed == {"Managed Services Agreements": 1, "New Agreements": 1, "New MRR": 700}


def test_boards_and_statuses_match_whatever_their_trailing_blanks_and_case(
    engine: Engine, month: Month, world: dict[str, int], connectwise: FakeConnectWise
) -> None:
    settings = ("reactive_boards=help desk", "closed_statuses=Closed, resolved")
    assert qbr("connectors", "set", "connectwise", *settings).exit_code == 0
    before = _synced(engine, world[ACME], "ConnectWise", month.period)
    (acme,) = [c for c in connectwise.collections["company/companies"] if c["name"] == ACME]
    connectwise.ticket(acme, iso(month.at(4)), board="Help Desk ", closed=iso(month.at(5)), status="Resolved ")
    after = _synced(engine, world[ACME], "ConnectWise", month.period)
    changed = {m: after[m] - before[m] for m in after if after[m] != before[m]}
    expected = ("Reactive Tickets Created", "Reactive Tickets Closed", "Tickets With SLA", "Tickets Met SLA")
    assert changed == dict.fromkeys(expected, 1)


@pytest.mark.parametrize("name", ["Tímapottur ", "TÍMAPOTTUR", " tímapottur  "])
def test_the_fake_compares_names_as_sql_server_does(name: str) -> None:
    record = {"type": {"name": name}}
    assert parse_conditions('type/name in ("Tímapottur")')(record) is (not name.startswith(" "))
