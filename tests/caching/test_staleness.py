"""Every kind of writer makes the next read fresh: new figures and a new ETag; an unchanged read keeps its ETag and
is answered 304. The command line runs in a process of its own, against the same database, as an operator runs it
beside the server."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from pptx import Presentation
from sqlalchemy import Engine, select, update

from qbr.auth.keys import create_api_key
from qbr.auth.models import User
from qbr.core.database import unit_of_work
from qbr.metrics.models import KpiDefinition, MetricMonthly
from qbr.server.app import create_app
from tests.dashboard_support import QUARTER, SeededData, seed_qbr_data
from tests.web.conftest import PASSWORD_HASH
from tests.web.support import page_csrf, sign_in, soup

Headers = dict[str, str]


@pytest.fixture
def data(engine: Engine) -> SeededData:
    with unit_of_work(engine) as session:
        return seed_qbr_data(session)


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine=engine), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def reader(engine: Engine) -> Headers:
    with unit_of_work(engine) as session:
        _, key = create_api_key(session, "reader", "viewer", None)
    return {"X-API-Key": key}


@pytest.fixture
def admin_page(client: TestClient, engine: Engine) -> TestClient:
    with unit_of_work(engine) as session:
        session.add(User(username="ada", password_hash=PASSWORD_HASH, role="admin", is_active=True))
    sign_in(client, "ada")
    return client


def get(client: TestClient, path: str, headers: Headers, etag: str | None = None) -> Response:
    response = client.get(path, headers=headers | ({"If-None-Match": etag} if etag else {}))
    assert response.status_code in (200, 304), response.text
    return response


def dashboard_path(data: SeededData) -> str:
    return f"/api/v1/organizations/{data.acme}/dashboard?period={QUARTER}"


def kpi(response: Response, name: str, field: str = "kpi_value") -> object:
    return next(item[field] for item in response.json()["kpis"] if item["kpi_name"] == name)


def assert_fresh(client: TestClient, path: str, headers: Headers, before: Response) -> Response:
    """The read after a write: built again under a new ETag, which then answers 304 while nothing changes."""
    after = get(client, path, headers, before.headers["etag"])
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert get(client, path, headers, after.headers["etag"]).status_code == 304
    return after


def run_cli(*args: str) -> None:
    """``qbr ARGS`` in a process of its own, on the database of this test (QBR_DATABASE_URL)."""
    result = subprocess.run(
        [sys.executable, "-m", "qbr", *args], capture_output=True, text=True, env=os.environ.copy(), timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def deck_text(response: Response) -> str:
    """Every text of a PowerPoint deck, its tables' cells included, in one string."""
    texts: list[str] = []
    for slide in Presentation(io.BytesIO(response.content)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return " ".join(texts)


@pytest.mark.commits
class TestCommandLineInAnotherProcess:
    def test_a_manual_value(self, client: TestClient, reader: Headers, data: SeededData) -> None:
        path = dashboard_path(data)
        before = get(client, path, reader)
        assert get(client, path, reader, before.headers["etag"]).status_code == 304
        run_cli("metrics", "set", str(data.acme), "2025-03", "Reactive Hours", "999")
        after = assert_fresh(client, path, reader, before)
        assert kpi(after, "RHEM") != kpi(before, "RHEM")

    def test_a_threshold_edit(self, client: TestClient, reader: Headers, data: SeededData) -> None:
        path = dashboard_path(data)
        before = get(client, path, reader)
        assert kpi(before, "RHEM", "status") == "critical"
        run_cli("thresholds", "set", "RHEM", "--warning", "5", "--critical", "10", "--org", str(data.acme))
        after = assert_fresh(client, path, reader, before)
        assert kpi(after, "RHEM", "status") == "ok"

    def test_a_review_edit(self, client: TestClient, reader: Headers, data: SeededData) -> None:
        path = f"/organizations/{data.acme}/qbr/{QUARTER}.pptx"
        other = f"/api/v1/organizations/{data.organization_ids['Globex']}/dashboard?period={QUARTER}"
        with unit_of_work() as session:
            session.add(User(username="ada", password_hash=PASSWORD_HASH, role="admin", is_active=True))
        sign_in(client, "ada")
        before = get(client, path, {})
        untouched = get(client, other, reader)
        run_cli("review", "edit", str(data.acme), QUARTER, "--summary", "A quarter of steady service.")
        after = assert_fresh(client, path, {}, before)
        assert "A quarter of steady service." in deck_text(after)
        # Versions are kept per organization: another organization's views stand.
        assert get(client, other, reader, untouched.headers["etag"]).status_code == 304

    def test_a_csv_import(self, client: TestClient, reader: Headers, data: SeededData, tmp_path: Path) -> None:
        path = dashboard_path(data)
        before = get(client, path, reader)
        march = tmp_path / "march.csv"
        # A corrected export of the PSA: the same source as the synced value, so it replaces it.
        march.write_text(
            "period,organization,metric_name,metric_value,source\n2025-03,Acme Corp,Reactive Hours,999,ConnectWise\n"
        )
        run_cli("import", "metrics", str(march))
        after = assert_fresh(client, path, reader, before)
        assert kpi(after, "RHEM") != kpi(before, "RHEM")

    def test_a_recommendation(self, admin_page: TestClient, data: SeededData) -> None:
        path = f"/organizations/{data.acme}/qbr/{QUARTER}.pptx"
        before = get(admin_page, path, {})
        run_cli(
            "recommendations", "add", str(data.acme), "Replace the core firewall",
            "--one-time", "4000", "--target", "2025-Q3", "--raised-in", QUARTER,
        )  # fmt: skip
        after = assert_fresh(admin_page, path, {}, before)
        assert "Replace the core firewall" in deck_text(after)
        assert "Replace the core firewall" not in deck_text(before)

    def test_a_new_kpi_reaches_every_organization(self, client: TestClient, reader: Headers, data: SeededData) -> None:
        # A catalog change is shared: the views of every organization depend on it.
        paths = [
            dashboard_path(data),
            f"/api/v1/organizations/{data.organization_ids['Globex']}/dashboard?period={QUARTER}",
        ]
        before = [get(client, path, reader) for path in paths]
        run_cli(
            "kpis", "add", "Reactive Hours Per Endpoint", "[Reactive Hours] / [Endpoints Managed]", "--unit", "hours"
        )
        for path, earlier in zip(paths, before, strict=True):
            after = assert_fresh(client, path, reader, earlier)
            assert kpi(after, "Reactive Hours Per Endpoint") is not None


class TestPageForms:
    def test_a_manual_value_entered_on_the_page(self, admin_page: TestClient, data: SeededData) -> None:
        path = f"/organizations/{data.acme}/qbr/{QUARTER}"
        before = get(admin_page, path, {})
        assert get(admin_page, path, {}, before.headers["etag"]).status_code == 304
        form = {
            "organization_id": str(data.acme),
            "period": "2025-03",
            "metric_name": "Reactive Hours",
            "value": "999",
            "csrf_token": page_csrf(admin_page, "/metrics/entry"),
        }
        assert admin_page.post("/metrics/entry", data=form).status_code == 303
        # The page right after the form shows its message once and is not kept.
        with_message = get(admin_page, path, {}, before.headers["etag"])
        assert with_message.status_code == 200
        assert with_message.headers["cache-control"] == "no-store"
        assert "etag" not in with_message.headers
        after = assert_fresh(admin_page, path, {}, before)
        assert after.text != before.text

    def test_a_brand_edit_on_the_settings_page(self, admin_page: TestClient, data: SeededData) -> None:
        path = f"/organizations/{data.acme}/qbr/{QUARTER}/print"
        before = get(admin_page, path, {})
        form = {"msp_name": "Lighthouse Managed IT", "csrf_token": page_csrf(admin_page, "/settings/brand")}
        assert admin_page.post("/settings/brand", data=form).status_code == 303
        admin_page.get("/settings/brand")  # the page that shows the flashed message
        after = assert_fresh(admin_page, path, {}, before)
        assert "Lighthouse Managed IT" in soup(after.text).get_text()
        assert "Lighthouse Managed IT" not in soup(before.text).get_text()

    def test_signing_in_again_never_revives_the_old_sessions_page(
        self, admin_page: TestClient, data: SeededData
    ) -> None:
        path = f"/organizations/{data.acme}/qbr/{QUARTER}"
        before = get(admin_page, path, {})
        admin_page.post("/logout", data={"csrf_token": page_csrf(admin_page)})
        sign_in(admin_page, "ada")
        # Same data, same person, but a new session with a new CSRF token: the stored page would carry the old one.
        assert get(admin_page, path, {}, before.headers["etag"]).status_code == 200

    def test_a_kpi_formula_edited_on_the_page(
        self, admin_page: TestClient, reader: Headers, data: SeededData, engine: Engine
    ) -> None:
        page, api = f"/organizations/{data.acme}/qbr/{QUARTER}/print", dashboard_path(data)
        before_page, before_api = get(admin_page, page, {}), get(admin_page, api, reader)
        with unit_of_work(engine) as session:
            rhem = session.execute(select(KpiDefinition).where(KpiDefinition.kpi_name == "RHEM")).scalar_one()
            edit = f"/kpis/{rhem.id}/edit"
            form = {
                "formula": f"({rhem.formula}) * 100",
                "unit": rhem.unit,
                "direction": rhem.direction or "",
                "description": rhem.description or "",
                "is_key": "true",
            }
        form["csrf_token"] = page_csrf(admin_page, edit)
        assert admin_page.post(edit, data=form).status_code == 303
        admin_page.get("/kpis")  # the page that shows the flashed message
        assert_fresh(admin_page, page, {}, before_page)
        after_api = assert_fresh(admin_page, api, reader, before_api)
        # 100 times the old value, which the API gives to two decimals (so within 100 × 0.005).
        old, new = (Decimal(str(kpi(response, "RHEM"))) for response in (before_api, after_api))
        assert abs(new - old * 100) <= Decimal("0.5")


@pytest.mark.commits
def test_a_recompute_after_a_repair_outside_the_product(
    client: TestClient, reader: Headers, data: SeededData, engine: Engine
) -> None:
    """A repair straight in the database (no writer of ours, so no new data version) shows once recomputed."""
    path = dashboard_path(data)
    before = get(client, path, reader)
    with engine.begin() as connection:
        connection.execute(
            update(MetricMonthly)
            .where(MetricMonthly.organization_id == data.acme, MetricMonthly.metric_name == "Reactive Hours")
            .values(metric_value=999)
        )
    assert get(client, path, reader, before.headers["etag"]).status_code == 304
    with unit_of_work(engine) as session:
        _, key = create_api_key(session, "repairs", "editor", None)
    body = {"organization_id": data.acme, "period": QUARTER}
    assert client.post("/api/v1/smartnumbers/recompute", json=body, headers={"X-API-Key": key}).status_code == 200
    after = assert_fresh(client, path, reader, before)
    assert kpi(after, "RHEM") != kpi(before, "RHEM")
