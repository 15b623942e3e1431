"""Changing metric definitions: validated, and a new rollup rule or default source recomputes what it affects."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from qbr.errors import Conflict, InvalidInput
from qbr.ingest.definitions import define_metric, update_metric_definition
from qbr.ingest.writing import ingest_metrics
from qbr.metrics.definitions import find_metric
from qbr.thresholds.service import set_threshold
from tests.metrics_support import inputs, quarterly
from tests.support import make_organization

D = Decimal


def test_new_rollup_rule_recomputes_quarters(session: Session) -> None:
    org = make_organization(session)
    ingest_metrics(session, inputs(org.id, {("2025-01", "Employees"): 8, ("2025-02", "Employees"): 9}, source="CSV"))
    assert quarterly(session, org.id, "2025-Q1")["Employees"] == D("8.50")  # avg
    update_metric_definition(session, find_metric(session, "Employees"), {"rollup": "last"})
    assert quarterly(session, org.id, "2025-Q1")["Employees"] == D("9.00")
    update_metric_definition(session, find_metric(session, "Employees"), {"rollup": "sum"})
    assert quarterly(session, org.id, "2025-Q1")["Employees"] == D("17.00")


def test_new_default_source_changes_the_effective_value(session: Session) -> None:
    org = make_organization(session)
    ingest_metrics(session, inputs(org.id, {("2025-01", "Seats Managed"): 20}, source="NinjaOne"))
    ingest_metrics(session, inputs(org.id, {("2025-01", "Seats Managed"): 25}, source="CSV"))
    assert quarterly(session, org.id, "2025-Q1")["Seats Managed"] == D("20.00")  # the default source wins
    update_metric_definition(session, find_metric(session, "Seats Managed"), {"default_source": "CSV"})
    assert quarterly(session, org.id, "2025-Q1")["Seats Managed"] == D("25.00")


def test_refused_changes(session: Session) -> None:
    org = make_organization(session)
    define_metric(session, "Cash Position", unit="currency", rollup="last")
    ingest_metrics(session, inputs(org.id, {("2025-01", "Cash Position"): -5}, source="CSV"))
    cash = find_metric(session, "cash position")
    with pytest.raises(Conflict, match="1 negative values stored"):
        update_metric_definition(session, cash, {"unit": "count"})
    with pytest.raises(InvalidInput, match="not a rollup rule"):
        update_metric_definition(session, cash, {"rollup": "median"})
    with pytest.raises(InvalidInput, match="cannot change metric_name"):
        update_metric_definition(session, cash, {"metric_name": "Cash"})
    set_threshold(session, "Reactive Hours", warning="100", critical="150")
    with pytest.raises(Conflict, match="do not fit the new direction"):
        update_metric_definition(session, find_metric(session, "Reactive Hours"), {"direction": "higher_is_better"})
    with pytest.raises(Conflict, match="already a metric name"):
        define_metric(session, "cash POSITION", unit="currency", rollup="last")
