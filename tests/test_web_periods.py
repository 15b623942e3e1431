"""Which period a page opens on, and which periods the picker offers."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
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


def test_pages_open_on_the_last_complete_quarter_not_the_one_in_progress(session: Session) -> None:
    data = seed_qbr_data(session)  # through 2025-03: 2025-Q1 is complete from April on
    ingest_metrics(session, [MetricInput(data.acme, "2025-04", "Reactive Hours", 40, "ConnectWise")])
    in_q2 = date(2025, 5, 20)
    assert default_period(session, today=in_q2).value == QUARTER
    assert default_period(session, data.acme, today=in_q2).value == QUARTER
    # Once the quarter has ended it is the newest complete one.
    assert default_period(session, data.acme, today=date(2025, 7, 2)).value == "2025-Q2"


def test_with_only_a_quarter_in_progress_it_opens_on_that(session: Session) -> None:
    organization = make_organization(session, "New Client")
    ingest_metrics(session, [MetricInput(organization.id, "2025-04", "Reactive Hours", 40, "ConnectWise")])
    assert default_period(session, organization.id, today=date(2025, 5, 20)).value == "2025-Q2"
