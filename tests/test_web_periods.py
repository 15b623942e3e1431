"""Which period a page opens on, and which periods the picker offers."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from qbr.core.principal import Principal
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.kpis.models import SmartNumber
from qbr.periods.models import Period
from qbr.web.periods import default_period, picker_periods
from tests.dashboard_support import QUARTER, seed_qbr_data
from tests.support import make_organization, make_periods

EVERYONE = Principal(kind="user", id=1, name="ada", role="admin")


def limited_to(*organization_ids: int) -> Principal:
    return Principal(kind="user", id=2, name="cleo", role="viewer", organization_ids=frozenset(organization_ids))


def test_pages_open_on_the_newest_quarter_with_kpis(session: Session) -> None:
    data = seed_qbr_data(session)
    assert default_period(session, EVERYONE).value == QUARTER
    assert default_period(session, EVERYONE, data.acme).value == QUARTER


def test_without_data_the_current_quarter(session: Session) -> None:
    empty = make_organization(session, "Empty Org")
    assert default_period(session, EVERYONE, empty.id, today=date(2025, 8, 14)).value == "2025-Q3"


def test_picker_lists_quarters_then_months_newest_first(session: Session) -> None:
    seed_qbr_data(session)
    groups = dict(picker_periods(session, EVERYONE))
    assert list(groups) == ["Quarters", "Months"]
    assert groups["Quarters"] == ["2025-Q1", "2024-Q4", "2024-Q3", "2024-Q2", "2024-Q1"]
    assert groups["Months"][0] == "2025-03"
    assert groups["Months"][-1] == "2024-01"
    assert len(groups["Months"]) == 15


def test_another_organizations_data_moves_nothing_a_scoped_principal_sees(session: Session) -> None:
    data = seed_qbr_data(session)
    other = make_organization(session, "Other Tenant")
    make_periods(session, "2025-06")
    session.add(
        SmartNumber(
            period="2025-Q2", kpi_name="Anything", kpi_value=1, calculation_method="1", organization_id=other.id
        )
    )
    session.flush()
    scoped = limited_to(data.acme)
    assert default_period(session, scoped).value == QUARTER
    assert "2025-Q2" not in dict(picker_periods(session, scoped))["Quarters"]
    assert "2025-06" not in dict(picker_periods(session, scoped))["Months"]
    # Unscoped staff see every organization's periods, as before.
    assert default_period(session, EVERYONE).value == "2025-Q2"
    assert "2025-Q2" in dict(picker_periods(session, EVERYONE))["Quarters"]


def test_periods_outside_the_accepted_range_are_never_offered(session: Session) -> None:
    # Rows left by a version without the range rule: neither the picker nor the default period may open there.
    data = seed_qbr_data(session)
    far = Period(
        period_type="quarterly",
        period_value="9999-Q4",
        start_date=date(9999, 10, 1),
        end_date=date(9999, 12, 31),
        is_active=True,
    )
    session.add(far)
    session.flush()
    session.add(
        SmartNumber(period="9999-Q4", kpi_name="Far", kpi_value=1, calculation_method="1", organization_id=data.acme)
    )
    session.flush()
    assert default_period(session, EVERYONE).value == QUARTER
    assert "9999-Q4" not in dict(picker_periods(session, EVERYONE))["Quarters"]


def test_pages_open_on_the_last_complete_quarter_not_the_one_in_progress(session: Session) -> None:
    data = seed_qbr_data(session)  # through 2025-03: 2025-Q1 is complete from April on
    ingest_metrics(session, [MetricInput(data.acme, "2025-04", "Reactive Hours", 40, "ConnectWise")])
    in_q2 = date(2025, 5, 20)
    assert default_period(session, EVERYONE, today=in_q2).value == QUARTER
    assert default_period(session, EVERYONE, data.acme, today=in_q2).value == QUARTER
    # Once the quarter has ended it is the newest complete one.
    assert default_period(session, EVERYONE, data.acme, today=date(2025, 7, 2)).value == "2025-Q2"


def test_with_only_a_quarter_in_progress_it_opens_on_that(session: Session) -> None:
    organization = make_organization(session, "New Client")
    ingest_metrics(session, [MetricInput(organization.id, "2025-04", "Reactive Hours", 40, "ConnectWise")])
    assert default_period(session, EVERYONE, organization.id, today=date(2025, 5, 20)).value == "2025-Q2"
