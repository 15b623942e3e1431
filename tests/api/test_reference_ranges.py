"""``/api/v1/kpi-reference-ranges``: the seeded published ranges, changing them with field errors for every kind of
bad input, and ``reference_range`` on the MSP's dashboard (never on a client's)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from qbr.core.database import unit_of_work
from qbr.kpis.reference_seed import SEEDED_REFERENCE_RANGES
from qbr.metrics.models import KpiReferenceRange
from tests.api.conftest import Headers, KeyFactory
from tests.api.support import assert_problem
from tests.dashboard_support import QUARTER, seed_qbr_data

RANGES = "/api/v1/kpi-reference-ranges"
A_RANGE: dict[str, Any] = {
    "low": 0.1,
    "high": 0.3,
    "direction": "lower_is_better",
    "source_publisher": "An MSP survey",
    "source_title": "Service delivery benchmarks",
    "source_url": "https://example.org/benchmarks",
    "source_year": 2024,
    "note": "Median to top quartile.",
}


def stored_count(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        return session.scalar(select(func.count()).select_from(KpiReferenceRange)) or 0


class TestSeeded:
    def test_every_seeded_range_is_there_with_its_source(self, client: TestClient, viewer: Headers) -> None:
        body = client.get(RANGES, params={"limit": 1000}, headers=viewer).json()
        assert body["total"] == len(SEEDED_REFERENCE_RANGES) > 0
        by_name = {item["kpi_name"]: item for item in body["items"]}
        assert set(by_name) == {spec.kpi_name for spec in SEEDED_REFERENCE_RANGES}
        margin = by_name["Profit Margin"]
        assert (margin["low"], margin["high"], margin["direction"]) == (10, 25, "higher_is_better")
        assert margin["source_publisher"].startswith("TruMethods")
        assert margin["source_year"] == 2016
        assert margin["source_url"].startswith("https://")
        rhem = client.get(f"{RANGES}/RHEM", headers=viewer).json()
        assert (rhem["low"], rhem["high"], rhem["direction"]) == (None, 0.25, "lower_is_better")
        # Every seeded range says where it comes from.
        assert all(item["source_publisher"] and item["source_title"] and item["note"] for item in body["items"])

    def test_a_kpi_without_a_range_is_404(self, client: TestClient, viewer: Headers) -> None:
        problem = assert_problem(client.get(f"{RANGES}/Dials per Appointment", headers=viewer), 404)
        assert "no reference range" in problem["detail"]
        assert_problem(client.get(f"{RANGES}/No Such KPI", headers=viewer), 404)


class TestPut:
    def test_creates_replaces_and_deletes(self, client: TestClient, admin: Headers, engine: Engine) -> None:
        before = stored_count(engine)
        created = client.put(f"{RANGES}/Average Resolution Time", json=A_RANGE, headers=admin)
        assert created.status_code == 201, created.text
        assert {key: created.json()[key] for key in A_RANGE} == A_RANGE
        replaced = client.put(
            f"{RANGES}/average resolution time",  # the catalog's names are found in any case
            json={"high": 0.5, "source_publisher": "Another", "source_title": "Other title"},
            headers=admin,
        )
        assert replaced.status_code == 200, replaced.text
        body = replaced.json()
        assert body["kpi_name"] == "Average Resolution Time"
        # A PUT replaces the whole range: what was left out is empty, the direction is the KPI's own.
        assert (body["low"], body["high"], body["direction"]) == (None, 0.5, "lower_is_better")
        assert (body["source_url"], body["source_year"], body["note"]) == (None, None, None)
        assert stored_count(engine) == before + 1
        assert client.delete(f"{RANGES}/Average Resolution Time", headers=admin).status_code == 204
        assert stored_count(engine) == before
        assert_problem(client.delete(f"{RANGES}/Average Resolution Time", headers=admin), 404)

    def test_field_errors_and_nothing_written(self, client: TestClient, admin: Headers, engine: Engine) -> None:
        before = stored_count(engine)
        url = f"{RANGES}/Average Resolution Time"
        cases: list[tuple[dict[str, Any], str]] = [
            ({**A_RANGE, "low": 2, "high": 1}, "body.low"),
            ({**A_RANGE, "direction": "sideways"}, "body.direction"),
            ({**A_RANGE, "low": None, "high": None}, "body.low"),
            ({**A_RANGE, "low": "lots"}, "body.low"),
            ({**A_RANGE, "high": 1e12}, "body.high"),
            ({**A_RANGE, "source_title": "x" * 301}, "body.source_title"),
            ({**A_RANGE, "source_publisher": "x" * 201}, "body.source_publisher"),
            ({**A_RANGE, "note": "x" * 1001}, "body.note"),
            ({**A_RANGE, "source_url": "x" * 501}, "body.source_url"),
            ({**A_RANGE, "source_publisher": "  "}, "body.source_publisher"),
            ({**A_RANGE, "source_url": "javascript:alert(1)"}, "body.source_url"),
            ({**A_RANGE, "source_year": 1066}, "body.source_year"),
            ({**A_RANGE, "colour": "red"}, "body.colour"),
        ]
        for body, location in cases:
            assert_problem(client.put(url, json=body, headers=admin), 422, location=location)
        unknown = assert_problem(client.put(f"{RANGES}/No Such KPI", json=A_RANGE, headers=admin), 422)
        assert unknown["errors"][0]["location"] == "path.kpi_name"
        assert "No Such KPI" in unknown["errors"][0]["message"]
        # Several problems at once are all reported.
        several = client.put(url, json={**A_RANGE, "low": 5, "high": 1, "source_year": 3000}, headers=admin)
        assert {error["location"] for error in several.json()["errors"]} == {"body.low", "body.source_year"}
        assert stored_count(engine) == before

    def test_a_kpi_without_direction_needs_one(self, client: TestClient, admin: Headers) -> None:
        body = {key: value for key, value in A_RANGE.items() if key != "direction"}
        url = f"{RANGES}/Reactive Tickets per Tech per Month"
        problem = assert_problem(client.put(url, json=body, headers=admin), 422, location="body.direction")
        assert "the KPI has none" in problem["errors"][0]["message"]
        assert client.put(url, json={**body, "direction": "higher_is_better"}, headers=admin).status_code == 201

    def test_only_unscoped_admins_change_and_client_users_do_not_read(
        self, client: TestClient, make_key: KeyFactory, engine: Engine
    ) -> None:
        with unit_of_work(engine) as session:
            data = seed_qbr_data(session)
        for headers in (make_key("editor"), make_key("admin", [data.acme, data.msp])):
            assert_problem(client.put(f"{RANGES}/RHEM", json=A_RANGE, headers=headers), 403)
        client_user = make_key("viewer", [data.acme])
        assert_problem(client.get(RANGES, headers=client_user), 403)
        assert_problem(client.get(f"{RANGES}/RHEM", headers=client_user), 403)
        # A staff member limited to clients and the MSP is staff: they read the ranges.
        assert client.get(RANGES, headers=make_key("viewer", [data.acme, data.msp])).status_code == 200


class TestDashboard:
    def test_the_msp_carries_ranges_and_a_client_none(
        self, client: TestClient, make_key: KeyFactory, engine: Engine
    ) -> None:
        with unit_of_work(engine) as session:
            data = seed_qbr_data(session)
        staff = make_key("viewer")

        def kpis(organization_id: int, headers: Headers) -> dict[str, Any]:
            url = f"/api/v1/organizations/{organization_id}/dashboard"
            body = client.get(url, params={"period": QUARTER}, headers=headers).json()
            return {kpi["kpi_name"]: kpi for kpi in body["kpis"]}

        msp = kpis(data.msp, staff)
        seeded = {spec.kpi_name for spec in SEEDED_REFERENCE_RANGES}
        assert {name for name, kpi in msp.items() if kpi["reference_range"]} == seeded
        assert all(kpi["reference_range"] is None for name, kpi in msp.items() if name not in seeded)
        rhem = msp["RHEM"]
        found = rhem["reference_range"]
        # Northwind's RHEM is about 0.22-0.25 h: within "0.25 h or less".
        assert rhem["kpi_value"] <= 0.25
        assert (found["position"], found["verdict"]) == ("within", "within")
        margin = msp["Profit Margin"]
        expected = "below" if margin["kpi_value"] < 10 else "above" if margin["kpi_value"] > 25 else "within"
        assert margin["reference_range"]["position"] == expected
        for headers in (staff, make_key("viewer", [data.acme])):
            assert all(kpi["reference_range"] is None for kpi in kpis(data.acme, headers).values())
