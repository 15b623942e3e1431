"""``forecast=true`` on the dashboard: each KPI's next period, labelled with its method; absent unless asked for."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from qbr.insight.forecast import ETS_METHOD, FALLBACK_METHOD
from tests.api.conftest import KeyFactory
from tests.dashboard_support import seed_qbr_data


def test_forecasts_on_request(client: TestClient, session: Session, make_key: KeyFactory) -> None:
    data = seed_qbr_data(session)
    session.commit()
    url = f"/api/v1/organizations/{data.acme}/dashboard"
    headers = make_key("viewer")
    plain = client.get(url, params={"period": "2025-03"}, headers=headers).json()
    assert all(kpi["forecast"] is None for kpi in plain["kpis"])

    monthly = client.get(url, params={"period": "2025-03", "forecast": "true"}, headers=headers).json()
    rhem = next(kpi for kpi in monthly["kpis"] if kpi["kpi_name"] == "RHEM")
    # 13 months of history: the model, without a season (that needs 24 months).
    assert rhem["forecast"]["period"] == "2025-04"
    assert rhem["forecast"]["method"] == ETS_METHOD
    low, value, high = (Decimal(str(rhem["forecast"][key])) for key in ("low", "value", "high"))
    assert low <= value <= high

    # 5 quarters of history (2024-Q1 to 2025-Q1): too few for the model, the stated fallback.
    quarterly = client.get(url, params={"period": "2025-Q1", "forecast": "true"}, headers=headers).json()
    rhem = next(kpi for kpi in quarterly["kpis"] if kpi["kpi_name"] == "RHEM")
    assert rhem["forecast"]["period"] == "2025-Q2"
    assert rhem["forecast"]["method"] == FALLBACK_METHOD
    last_three = [Decimal(str(point["value"])) for point in rhem["trend"][-3:]]
    assert Decimal(str(rhem["forecast"]["value"])) == (sum(last_three) / 3).quantize(Decimal("0.01"))
