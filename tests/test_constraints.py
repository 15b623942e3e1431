"""The database itself refuses what the design forbids, whatever code writes to it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qbr.metrics.models import MetricMonthly, MetricQuarterly
from qbr.thresholds.models import Threshold
from tests.support import make_organization, make_periods


def _monthly(org_id: int, period: str = "2025-01", value: str = "1") -> MetricMonthly:
    return MetricMonthly(
        period=period,
        organization_id=org_id,
        metric_name="Reactive Tickets Closed",
        metric_value=Decimal(value),
        source_system="ConnectWise",
    )


def test_duplicate_metric_row_is_refused(session: Session) -> None:
    org = make_organization(session)
    make_periods(session, "2025-01")
    session.add(_monthly(org.id))
    session.flush()
    session.add(_monthly(org.id, value="2"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_same_metric_from_another_source_is_a_separate_row(session: Session) -> None:
    org = make_organization(session)
    make_periods(session, "2025-01")
    session.add(_monthly(org.id))
    manual = _monthly(org.id, value="3")
    manual.source_system = "Manual"
    session.add(manual)
    session.flush()


def test_bogus_threshold_type_is_refused(session: Session) -> None:
    session.add(Threshold(metric_name="RHEM", threshold_type="bogus", threshold_value=Decimal("1")))
    with pytest.raises(IntegrityError):
        session.flush()


def test_second_default_threshold_for_same_metric_and_type_is_refused(session: Session) -> None:
    session.add(Threshold(metric_name="RHEM", threshold_type="warning", threshold_value=Decimal("0.3")))
    with pytest.raises(IntegrityError):
        session.flush()


def test_organization_threshold_coexists_with_default(session: Session) -> None:
    org = make_organization(session)
    session.add(
        Threshold(
            metric_name="RHEM",
            threshold_type="warning",
            threshold_value=Decimal("0.3"),
            organization_id=org.id,
        )
    )
    session.flush()
    session.add(
        Threshold(
            metric_name="RHEM",
            threshold_type="warning",
            threshold_value=Decimal("0.2"),
            organization_id=org.id,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_metric_for_unknown_period_is_refused(session: Session) -> None:
    org = make_organization(session)
    session.add(_monthly(org.id, period="2031-05"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_metric_for_unknown_organization_is_refused(session: Session) -> None:
    make_periods(session, "2025-01")
    session.add(_monthly(999_999))
    with pytest.raises(IntegrityError):
        session.flush()


def test_monthly_row_with_quarterly_period_is_refused(session: Session) -> None:
    org = make_organization(session)
    make_periods(session, "2025-01")  # also creates 2025-Q1
    session.add(_monthly(org.id, period="2025-Q1"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_quarterly_row_with_monthly_period_is_refused(session: Session) -> None:
    org = make_organization(session)
    make_periods(session, "2025-01")
    session.add(MetricQuarterly(period="2025-01", organization_id=org.id, metric_name="Reactive Hours", metric_value=1))
    with pytest.raises(IntegrityError):
        session.flush()


@pytest.mark.parametrize(
    ("period_type", "value"),
    [
        ("monthly", "2025-13"),
        ("monthly", "2025-Q1"),
        ("quarterly", "2025-Q5"),
        ("quarterly", "2025-03"),
        ("weekly", "2025-W1"),
    ],
)
def test_malformed_periods_are_refused(engine: Engine, period_type: str, value: str) -> None:
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO periods (period_type, period_value, start_date, end_date, is_active) "
                "VALUES (:t, :v, '2025-01-01', '2025-01-31', true)"
            ),
            {"t": period_type, "v": value},
        )


def test_only_one_msp_organization(session: Session) -> None:
    make_organization(session, "Our MSP", is_msp=True)
    make_organization(session, "Client A")
    make_organization(session, "Client B")
    with pytest.raises(IntegrityError):
        make_organization(session, "Second MSP", is_msp=True)
