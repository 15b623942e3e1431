"""The sync-run log and connector status through the REST API: column-named fields, filters, CSV, and no secret
ever in a response."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fakes.connectwise import FakeConnectWise
from fakes.month import Month
from fakes.quickbooks import FakeQuickBooks
from qbr.sources import CONNECTOR_SOURCES
from tests.api.conftest import KeyFactory, app, client, make_key  # noqa: F401 - the API fixtures, reused
from tests.connectors.conftest import qbr

SECRETS = ("priv-key", "ninja-secret", "qbo-secret", "rt-initial", "rt-rotated")


def test_sync_runs_are_listed_newest_first_with_their_detail(
    engine: Engine,
    month: Month,
    world: dict[str, int],
    connectwise: FakeConnectWise,
    client: TestClient,  # noqa: F811
    make_key: KeyFactory,  # noqa: F811
) -> None:
    connectwise.fail_next(100, status=500, path_contains="/time/entries")
    assert qbr("sync", "--source", "connectwise", "--period", month.period).exit_code == 1
    connectwise.revive()
    assert qbr("sync", "--source", "connectwise", "--period", month.period).exit_code == 0
    viewer = make_key("viewer")

    body = client.get("/api/v1/sync-runs", headers=viewer).json()
    assert body["total"] == 2
    latest, failed = body["items"]
    assert set(latest) == {
        "id", "source_system", "period", "started_at", "finished_at", "status", "rows_written", "unmapped_count",
        "unmapped_detail", "error",
    }  # fmt: skip
    assert (latest["status"], latest["source_system"], latest["period"]) == ("succeeded", "ConnectWise", month.period)
    assert latest["rows_written"] > 0
    assert latest["unmapped_detail"]["records"][0] == {
        "kind": "company",
        "external_id": "25",
        "name": "Umbrella",
        "records": latest["unmapped_count"],
    }
    assert failed["status"] == "failed"
    assert "HTTP 500" in failed["error"]

    only_failed = client.get("/api/v1/sync-runs", params={"status": "failed"}, headers=viewer).json()
    assert [item["id"] for item in only_failed["items"]] == [failed["id"]]
    assert client.get(f"/api/v1/sync-runs/{latest['id']}", headers=viewer).json() == latest
    missing = client.get("/api/v1/sync-runs/999999", headers=viewer)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"

    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/sync-runs?format=csv", headers=viewer).text)))
    assert json.loads(rows[0]["unmapped_detail"])["records"][0]["name"] == "Umbrella"


def test_scoped_callers_cannot_read_the_log(
    engine: Engine,
    month: Month,
    world: dict[str, int],
    client: TestClient,  # noqa: F811
    make_key: KeyFactory,  # noqa: F811
) -> None:
    scoped = make_key("admin", [world["Acme Corp"]])
    for path in ("/api/v1/sync-runs", "/api/v1/connectors"):
        response = client.get(path, headers=scoped)
        assert response.status_code == 403
        assert "not limited to organizations" in response.json()["detail"]


def test_connector_status_never_returns_secrets(
    engine: Engine,
    month: Month,
    world: dict[str, int],
    quickbooks: FakeQuickBooks,
    client: TestClient,  # noqa: F811
    make_key: KeyFactory,  # noqa: F811
) -> None:
    assert qbr("sync", "--source", "quickbooks", "--period", month.period).exit_code == 0
    assert qbr("connectors", "set", "connectwise", "private_key=priv-key-stored").exit_code == 0
    admin = make_key("admin")
    response = client.get("/api/v1/connectors", headers=admin)
    assert response.status_code == 200, response.text
    for secret in SECRETS:
        assert secret not in response.text
    statuses = {item["source_system"]: item for item in response.json()["items"]}
    assert set(statuses) == set(CONNECTOR_SOURCES)
    assert statuses["DattoRMM"]["is_configured"] is False  # not pointed at anything in this test
    quickbooks_status = statuses["QuickBooks"]
    assert quickbooks_status["is_configured"] is True
    assert quickbooks_status["links"] == 2
    assert quickbooks_status["last_run"]["status"] == "succeeded"
    assert quickbooks_status["last_success_at"] is not None
    assert quickbooks_status["account_map"]["Managed Services"] == "Monthly Recurring Revenue"
    assert quickbooks_status["refresh_token_expires_at"] is not None
    settings = {s["setting_key"]: s for s in quickbooks_status["settings"]}
    assert settings["refresh_token"] == {
        "setting_key": "refresh_token",
        "setting_value": None,
        "is_secret": True,
        "is_set": True,
        "origin": "database",  # rotated since the environment seeded it
        "env_var": "QBR_QUICKBOOKS_REFRESH_TOKEN",
    }
    assert settings["realm_id"]["setting_value"] == quickbooks.realm_id
    private_key = {s["setting_key"]: s for s in statuses["ConnectWise"]["settings"]}["private_key"]
    assert (private_key["setting_value"], private_key["is_set"], private_key["origin"]) == (None, True, "environment")

    one = client.get("/api/v1/connectors/NINJAONE", headers=admin)
    assert one.json()["source_system"] == "NinjaOne"
    unknown = client.get("/api/v1/connectors/kaseya", headers=admin)
    assert unknown.status_code == 422
    assert "connectwise, ninjaone, quickbooks" in unknown.text
