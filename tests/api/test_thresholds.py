"""``/api/v1/thresholds``: defaults visible to everyone, organizations' own only to who may see them."""

from __future__ import annotations

from decimal import Decimal

import httpx2
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from qbr.catalog import DEFAULT_THRESHOLDS
from qbr.thresholds.models import Threshold
from tests.api.conftest import Headers, KeyFactory
from tests.api.support import assert_problem
from tests.support import make_organization

URL = "/api/v1/thresholds"


def own_threshold(session: Session, organization_id: int, metric: str, kind: str, value: str) -> None:
    session.add(
        Threshold(
            metric_name=metric, threshold_type=kind, threshold_value=Decimal(value), organization_id=organization_id
        )
    )


class TestListThresholds:
    def test_defaults_with_numbers_as_numbers(self, client: TestClient, viewer: Headers) -> None:
        body = client.get(URL, params={"metric_name": "RHEM"}, headers=viewer).json()
        assert [(item["threshold_type"], item["threshold_value"]) for item in body["items"]] == [
            ("warning", 0.25),
            ("critical", 0.4),
        ]
        assert body["items"][0]["organization_id"] is None
        assert client.get(URL, headers=viewer).json()["total"] == 2 * len(DEFAULT_THRESHOLDS)

    def test_filters_and_scope(self, client: TestClient, make_key: KeyFactory, session: Session) -> None:
        acme = make_organization(session, "Acme Corp")
        bravo = make_organization(session, "Bravo Ltd")
        own_threshold(session, acme.id, "RHEM", "warning", "0.30")
        own_threshold(session, bravo.id, "RHEM", "warning", "0.20")
        session.commit()
        everyone = make_key("viewer")
        acme_only = make_key("viewer", [acme.id])

        def rows(headers: Headers, **params: object) -> list[tuple[object, object]]:
            items = client.get(URL, params={"metric_name": "RHEM", **params}, headers=headers).json()["items"]
            return [(item["organization_id"], item["threshold_value"]) for item in items]

        assert rows(everyone, threshold_type="warning") == [(None, 0.25), (acme.id, 0.3), (bravo.id, 0.2)]
        assert rows(everyone, is_default=False) == [(acme.id, 0.3), (bravo.id, 0.2)]
        assert rows(everyone, organization_id=bravo.id) == [(bravo.id, 0.2)]
        assert rows(acme_only, threshold_type="warning") == [(None, 0.25), (acme.id, 0.3)]
        assert rows(acme_only, organization_id=bravo.id) == []

    def test_csv_and_bad_filter(self, client: TestClient, viewer: Headers) -> None:
        csv = client.get(URL, params={"format": "csv", "metric_name": "AISP"}, headers=viewer).text.splitlines()
        assert csv[0] == "id,metric_name,threshold_type,threshold_value,organization_id,updated_at"
        assert ",AISP,warning,100.00,," in csv[1]
        assert_problem(client.get(URL, params={"threshold_type": "info"}, headers=viewer), 422)


def put(client: TestClient, headers: Headers, *items: dict[str, object]) -> httpx2.Response:
    return client.put(URL, json={"items": list(items)}, headers=headers)


def item(kind: str, value: object, organization_id: int | None = None, name: str = "RHEM") -> dict[str, object]:
    return {"metric_name": name, "threshold_type": kind, "threshold_value": value, "organization_id": organization_id}


class TestPutThresholds:
    def test_organization_override_by_its_editor(
        self, client: TestClient, make_key: KeyFactory, session: Session
    ) -> None:
        acme = make_organization(session, "Acme Corp").id
        session.commit()
        response = put(client, make_key("editor", [acme]), item("warning", 0.3, acme), item("critical", 0.5, acme))
        assert response.status_code == 200, response.text
        rows = response.json()["items"]
        assert [(r["threshold_type"], r["threshold_value"], r["organization_id"]) for r in rows] == [
            ("warning", 0.3, acme),
            ("critical", 0.5, acme),
        ]
        again = put(client, make_key("editor", [acme]), item("warning", 0.35, acme)).json()["items"]
        assert again[0]["id"] == rows[0]["id"]
        assert again[0]["threshold_value"] == 0.35

    def test_wrong_side_is_422_and_nothing_changes(self, client: TestClient, admin: Headers) -> None:
        problem = assert_problem(put(client, admin, item("warning", 0.5), item("critical", 0.45)), 422)
        assert "must be below the critical value" in problem["detail"]
        defaults = client.get(URL, params={"metric_name": "RHEM", "is_default": True}, headers=admin).json()["items"]
        assert [row["threshold_value"] for row in defaults] == [0.25, 0.4]

    def test_default_change_that_breaks_an_override_is_409(
        self, client: TestClient, admin: Headers, session: Session
    ) -> None:
        acme = make_organization(session, "Acme Corp").id
        session.commit()
        assert put(client, admin, item("warning", 0.38, acme)).status_code == 200
        # Acme keeps its own warning 0.38; a default critical of 0.30 would sit below it.
        assert_problem(put(client, admin, item("warning", 0.2), item("critical", 0.3)), 409)

    def test_who_may_change_what(
        self, client: TestClient, editor: Headers, make_key: KeyFactory, session: Session
    ) -> None:
        acme = make_organization(session, "Acme Corp").id
        bravo = make_organization(session, "Bravo Ltd").id
        session.commit()
        assert_problem(put(client, editor, item("warning", 0.2)), 403)  # defaults: admins only
        assert_problem(put(client, make_key("admin", [acme]), item("warning", 0.2)), 403)  # and unscoped ones
        assert_problem(put(client, make_key("editor", [acme]), item("warning", 0.2, bravo)), 404)
        assert_problem(put(client, make_key("viewer"), item("warning", 0.2, acme)), 403)

    def test_bad_items_are_422(self, client: TestClient, admin: Headers) -> None:
        assert_problem(put(client, admin, item("warning", 0.2), item("warning", 0.3)), 422, location="items[1]")
        assert_problem(put(client, admin, item("info", 0.2)), 422, location="body.items.0.threshold_type")
        assert_problem(put(client, admin, item("warning", 0.2, name="Employees")), 422)  # no direction: ungradable
        assert_problem(put(client, admin, item("warning", 0.2, name="No Such Metric")), 404)
        assert_problem(put(client, admin, item("warning", 1e11)), 422)


class TestDeleteThreshold:
    def test_override_removed_falls_back_to_default(self, client: TestClient, admin: Headers, session: Session) -> None:
        acme = make_organization(session, "Acme Corp").id
        session.commit()
        own = put(client, admin, item("warning", 0.3, acme)).json()["items"][0]
        assert client.delete(f"{URL}/{own['id']}", headers=admin).status_code == 204
        assert client.get(URL, params={"organization_id": acme}, headers=admin).json()["total"] == 0
        assert_problem(client.delete(f"{URL}/{own['id']}", headers=admin), 404)

    def test_scope_and_roles(self, client: TestClient, admin: Headers, make_key: KeyFactory, session: Session) -> None:
        acme = make_organization(session, "Acme Corp").id
        bravo = make_organization(session, "Bravo Ltd").id
        session.commit()
        bravo_own = put(client, admin, item("warning", 0.3, bravo)).json()["items"][0]
        default = client.get(URL, params={"metric_name": "RHEM", "is_default": True}, headers=admin).json()["items"][0]
        acme_editor = make_key("editor", [acme])
        assert_problem(client.delete(f"{URL}/{bravo_own['id']}", headers=acme_editor), 404)
        assert_problem(client.delete(f"{URL}/{default['id']}", headers=acme_editor), 403)
        assert_problem(client.delete(f"{URL}/{bravo_own['id']}", headers=make_key("viewer")), 403)
