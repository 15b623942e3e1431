"""Grading against thresholds in both directions, and an organization's thresholds over the defaults."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from qbr.catalog import HIGHER, LOWER
from qbr.thresholds.grading import effective_thresholds, grade
from qbr.thresholds.models import Threshold
from tests.support import make_organization

D = Decimal


@pytest.mark.parametrize(
    ("value", "status"),
    [("99", "ok"), ("95", "ok"), ("94.99", "warning"), ("90", "warning"), ("89.99", "critical"), ("0", "critical")],
)
def test_higher_is_better(value: str, status: str) -> None:
    assert grade(D(value), D("95"), D("90"), HIGHER) == status


@pytest.mark.parametrize(
    ("value", "status"),
    [("0.10", "ok"), ("0.25", "ok"), ("0.26", "warning"), ("0.40", "warning"), ("0.41", "critical")],
)
def test_lower_is_better(value: str, status: str) -> None:
    assert grade(D(value), D("0.25"), D("0.40"), LOWER) == status


def test_no_value_no_thresholds_no_direction() -> None:
    assert grade(None, D("95"), D("90"), HIGHER) == "no_data"
    assert grade(D("1"), None, None, HIGHER) == "ok"
    assert grade(D("1"), D("95"), D("90"), None) == "ok"
    assert grade(D("80"), None, D("90"), HIGHER) == "critical"
    assert grade(D("93"), D("95"), None, HIGHER) == "warning"


def test_organization_thresholds_override_defaults_per_type(session: Session) -> None:
    acme = make_organization(session, "Acme")
    other = make_organization(session, "Other")
    session.add(
        Threshold(metric_name="RHEM", threshold_type="warning", threshold_value=D("0.30"), organization_id=acme.id)
    )
    session.flush()
    defaults = effective_thresholds(session, None)["RHEM"]
    assert (defaults.warning, defaults.critical, defaults.source) == (D("0.25"), D("0.40"), "default")
    mine = effective_thresholds(session, acme.id)["RHEM"]
    assert (mine.warning, mine.critical, mine.source) == (D("0.30"), D("0.40"), "organization")
    assert effective_thresholds(session, other.id)["RHEM"].warning == D("0.25")
    assert grade(D("0.28"), mine.warning, mine.critical, LOWER) == "ok"
    assert grade(D("0.28"), defaults.warning, defaults.critical, LOWER) == "warning"
