"""Administration on pages: organizations and links, users and keys, and the spreadsheet upload."""

from __future__ import annotations

import io

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from qbr.auth.models import ApiKey
from qbr.metrics.models import MetricMonthly
from qbr.organizations.models import Organization, OrganizationLink
from tests.dashboard_support import SeededData
from tests.web.conftest import UserFactory
from tests.web.support import page_csrf, sign_in, soup, text_of


def organization_named(engine: Engine, name: str) -> Organization | None:
    with Session(engine) as session:
        return session.scalar(select(Organization).where(Organization.name == name))


def test_create_rename_link_and_deactivate_an_organization(
    admin_client: TestClient, data: SeededData, engine: Engine
) -> None:
    token = page_csrf(admin_client, "/admin/organizations")
    created = admin_client.post("/admin/organizations", data={"csrf_token": token, "name": "  Delta   Dental "})
    assert created.status_code == 303
    delta = organization_named(engine, "Delta Dental")
    assert delta is not None
    assert created.headers["location"] == f"/admin/organizations/{delta.id}"
    renamed = admin_client.post(
        f"/admin/organizations/{delta.id}/rename", data={"csrf_token": token, "name": "Delta Dental Group"}
    )
    assert renamed.status_code == 303
    linked = admin_client.post(
        f"/admin/organizations/{delta.id}/links",
        data={"csrf_token": token, "source": "connectwise", "external_id": "250", "external_name": "Delta Dental"},
    )
    assert linked.status_code == 303
    page = admin_client.get(f"/admin/organizations/{delta.id}")
    assert "Delta Dental Group" in page.text
    assert soup(page.text).find("tr", attrs={"data-link": "ConnectWise:250"}) is not None
    clash = admin_client.post("/admin/organizations", data={"csrf_token": token, "name": "delta dental group"})
    assert clash.status_code == 303
    assert "already exists" in admin_client.get("/admin/organizations").text
    # Deactivated: off the overview, history and page kept; reactivated: back.
    acme = data.acme
    assert "Acme Corp" in admin_client.get("/").text
    admin_client.post(f"/admin/organizations/{acme}/active", data={"csrf_token": token, "active": "false"})
    overview = admin_client.get("/")
    assert soup(overview.text).find(attrs={"data-organization": "Acme Corp"}) is None
    assert "Deactivated" in admin_client.get("/admin/organizations").text
    with Session(engine) as session:
        assert session.scalar(select(MetricMonthly.id).where(MetricMonthly.organization_id == acme).limit(1))
    admin_client.post(f"/admin/organizations/{acme}/active", data={"csrf_token": token, "active": "true"})
    assert "Acme Corp" in admin_client.get("/").text


def test_limited_admins_and_viewers_cannot_create_or_link(
    client: TestClient, make_user: UserFactory, data: SeededData, engine: Engine
) -> None:
    sign_in(client, make_user("lim", "admin", [data.acme]))
    token = page_csrf(client, "/admin/organizations")
    listing = client.get("/admin/organizations").text
    assert "Acme Corp" in listing
    assert "Northwind IT" not in listing
    assert client.post("/admin/organizations", data={"csrf_token": token, "name": "Sneaky"}).status_code == 403
    link = {"csrf_token": token, "source": "ninjaone", "external_id": "9"}
    assert client.post(f"/admin/organizations/{data.acme}/links", data=link).status_code == 403
    assert client.get(f"/admin/organizations/{data.msp}").status_code == 404
    assert client.get("/admin/users").status_code == 403
    with Session(engine) as session:
        assert session.scalar(select(OrganizationLink.id)) is None


def test_users_and_keys_are_shown_once_and_a_new_user_signs_in(
    app: FastAPI, admin_client: TestClient, data: SeededData, engine: Engine
) -> None:
    token = page_csrf(admin_client, "/admin/users")
    created = admin_client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "Clinic.Manager",
            "role": "viewer",
            "organization_ids": [str(data.acme)],
        },
    )
    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"
    password = text_of(soup(created.text).find("code", class_="secret"))
    assert len(password) == 20
    assert password not in admin_client.get("/admin/users").text
    key_page = admin_client.post("/admin/keys", data={"csrf_token": token, "name": "reports", "role": "viewer"})
    secret = text_of(soup(key_page.text).find("code", class_="secret"))
    assert admin_client.get("/api/v1/organizations", headers={"X-API-Key": secret}).status_code == 200
    with Session(engine) as session:
        key_id = session.scalar(select(ApiKey.id).where(ApiKey.name == "reports"))
    admin_client.post(f"/admin/keys/{key_id}/revoke", data={"csrf_token": token})
    assert admin_client.get("/api/v1/organizations", headers={"X-API-Key": secret}).status_code == 401
    refused = admin_client.post("/admin/users", data={"csrf_token": token, "username": "bad name!", "role": "viewer"})
    assert refused.status_code == 422
    assert "is not a valid username" in refused.text
    with TestClient(app, follow_redirects=False) as browser:
        sign_in(browser, "clinic.manager", password)
        overview = browser.get("/").text
    assert "Acme Corp" in overview
    assert "Northwind IT" not in overview


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_upload_previews_then_imports_exactly_that(admin_client: TestClient, data: SeededData, engine: Engine) -> None:
    token = page_csrf(admin_client, "/admin/import")
    content = workbook([["Client", "Metric", "Jan 2027", "Feb 2027"], ["Acme Corp", "Reactive Hours", "1,250.5", 7]])
    files = {"file": ("qbr.xlsx", content, "application/octet-stream")}
    preview = admin_client.post("/admin/import", data={"csrf_token": token}, files=files)
    assert preview.status_code == 200, preview.text
    page = soup(preview.text)
    row = page.find("tr", attrs={"data-organization": "Acme Corp", "data-month": "2027-01"})
    assert "1" in text_of(row)
    with Session(engine) as session:
        assert session.scalar(select(MetricMonthly.id).where(MetricMonthly.period == "2027-01")) is None
    form = page.find("form", action="/admin/import/commit")
    fields = {field["name"]: field["value"] for field in form.find_all("input")}
    done = admin_client.post("/admin/import/commit", data=fields)
    assert done.status_code == 303
    assert done.headers["location"] == f"/organizations/{data.acme}"
    with Session(engine) as session:
        value = session.scalar(select(MetricMonthly.metric_value).where(MetricMonthly.period == "2027-01"))
    assert str(value) == "1250.50"
    again = admin_client.post("/admin/import/commit", data=fields)
    assert again.status_code == 303
    assert "no longer here" in admin_client.get("/admin/import").text


def test_upload_refusals_name_cells_and_offer_no_import(admin_client: TestClient, data: SeededData) -> None:
    token = page_csrf(admin_client, "/admin/import")
    files = {"file": ("q.csv", b"Month;Client;Metric;Value\n01/02/2027;Acme Crop;Reactive Hours;1\n", "text/csv")}
    refused = admin_client.post("/admin/import", data={"csrf_token": token}, files=files)
    assert refused.status_code == 422
    problems = text_of(soup(refused.text).find("ul", class_="refused"))
    assert "q.csv, row 2, column A (period): '01/02/2027' is ambiguous" in problems
    assert "did you mean 'Acme Corp'?" in problems
    assert soup(refused.text).find("form", action="/admin/import/commit") is None
