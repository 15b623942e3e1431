"""After a sync (the CLI's, or the daily one the scheduler runs), the next dashboard read shows the synced figures
under a new ETag; a read with the old ETag is not answered 304."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from fakes.month import Month
from qbr.auth.keys import create_api_key
from qbr.connectors.scheduler import DailySyncScheduler
from qbr.core.database import unit_of_work
from qbr.server.app import create_app
from tests.connectors.conftest import qbr
from tests.connectors.scenario import ACME


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine=engine)) as test_client:
        yield test_client


@pytest.fixture
def admin(engine: Engine) -> dict[str, str]:
    with unit_of_work(engine) as session:
        _, key = create_api_key(session, "reader", "viewer", None)
    return {"X-API-Key": key}


def dashboard(client: TestClient, headers: dict[str, str], organization_id: int, month: Month) -> Response:
    response = client.get(
        f"/api/v1/organizations/{organization_id}/dashboard", params={"period": month.period}, headers=headers
    )
    assert response.status_code in (200, 304), response.text
    return response


def endpoints(response: Response) -> object:
    found = [m["metric_value"] for m in response.json()["metrics"] if m["metric_name"] == "Endpoints Managed"]
    return found[0] if found else None


def assert_fresh_after(write: object, client: TestClient, admin: dict[str, str], acme: int, month: Month) -> None:
    before = dashboard(client, admin, acme, month)
    assert endpoints(before) is None  # nothing synced yet
    assert callable(write)
    write()
    after = dashboard(client, admin, acme, month)
    assert after.headers["etag"] != before.headers["etag"]
    assert endpoints(after) == 4  # what the fake NinjaOne holds for Acme this month
    stale = client.get(
        f"/api/v1/organizations/{acme}/dashboard",
        params={"period": month.period},
        headers=admin | {"If-None-Match": before.headers["etag"]},
    )
    assert stale.status_code == 200
    unchanged = client.get(
        f"/api/v1/organizations/{acme}/dashboard",
        params={"period": month.period},
        headers=admin | {"If-None-Match": after.headers["etag"]},
    )
    assert unchanged.status_code == 304


def test_a_sync_from_the_command_line(
    client: TestClient, admin: dict[str, str], world: dict[str, int], month: Month
) -> None:
    def sync() -> None:
        result = qbr("sync", "--source", "ninjaone", "--period", month.period)
        assert result.exit_code == 0, result.output

    assert_fresh_after(sync, client, admin, world[ACME], month)


def test_the_schedulers_daily_sync(
    engine: Engine, client: TestClient, admin: dict[str, str], world: dict[str, int], month: Month
) -> None:
    def scheduled() -> None:
        report = DailySyncScheduler(engine, time(0, 0)).tick()
        assert report is not None
        assert not report.failed

    assert_fresh_after(scheduled, client, admin, world[ACME], month)
