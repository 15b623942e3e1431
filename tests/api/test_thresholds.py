"""``/api/v1/thresholds``: defaults visible to everyone, organizations' own only to who may see them."""

from __future__ import annotations

from decimal import Decimal

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
