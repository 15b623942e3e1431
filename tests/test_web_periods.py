"""Which period a page opens on, and which periods the picker offers."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from qbr.web.periods import default_period, picker_periods
from tests.dashboard_support import QUARTER, seed_qbr_data
from tests.support import make_organization


def test_pages_open_on_the_newest_quarter_with_kpis(session: Session) -> None:
    data = seed_qbr_data(session)
    assert default_period(session).value == QUARTER
    assert default_period(session, data.acme).value == QUARTER


def test_without_data_the_current_quarter(session: Session) -> None:
    empty = make_organization(session, "Empty Org")
    assert default_period(session, empty.id, today=date(2025, 8, 14)).value == "2025-Q3"


def test_picker_lists_quarters_then_months_newest_first(session: Session) -> None:
    seed_qbr_data(session)
    groups = dict(picker_periods(session))
    assert list(groups) == ["Quarters", "Months"]
    assert groups["Quarters"] == ["2025-Q1", "2024-Q4", "2024-Q3", "2024-Q2", "2024-Q1"]
    assert groups["Months"][0] == "2025-03"
    assert groups["Months"][-1] == "2024-01"
    assert len(groups["Months"]) == 15
