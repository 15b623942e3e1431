"""What the pages do with hostile input: the last possible periods, and formulas nested past the recursion limit."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.dashboard_support import SeededData
from tests.web.conftest import UserFactory
from tests.web.support import sign_in


class TestFarPeriods:
    def test_the_last_possible_periods_answer_a_clear_error_not_a_500(
        self, viewer_client: TestClient, data: SeededData
    ) -> None:
        for period in ("9999-12", "9999-Q4"):
            page = viewer_client.get(f"/organizations/{data.acme}/qbr/{period}")
            assert page.status_code in (400, 422), page.text
            assert "outside the accepted periods" in page.text


class TestFormulaCheck:
    def test_deep_nesting_is_a_clear_answer_not_a_500(self, client: TestClient, make_user: UserFactory) -> None:
        sign_in(client, make_user("ada", "admin"))
        answer = client.get("/kpis/formula-check", params={"formula": "(" * 197 + "1"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["ok"] is False
        assert "nests deeper than" in answer.json()["message"]
