"""Adding and changing KPIs: validated before saving, computed everywhere once saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from qbr.cli import app
from qbr.errors import Conflict, InvalidInput
from qbr.ingest.writing import ingest_metrics
from qbr.kpis.service import add_kpi, check_kpis, update_kpi
from qbr.metrics.models import KpiDefinition
from qbr.organizations.service import find_organization
from qbr.thresholds.service import set_threshold
from tests.metrics_support import inputs, kpis
from tests.support import make_organization

D = Decimal


def test_new_kpi_is_computed_for_existing_data_and_can_use_other_kpis(session: Session) -> None:
    org = make_organization(session)
    ingest_metrics(
        session, inputs(org.id, {("2025-01", "Reactive Hours"): 30, ("2025-01", "Reactive Tickets Closed"): 40})
    )
    add_kpi(session, "Minutes per Ticket", "[Average Resolution Time] * 60", unit="count", direction="lower_is_better")
    assert kpis(session, org.id, "2025-01")["Minutes per Ticket"] == D("45.00")  # 30 / 40 = 0.75 h
    assert kpis(session, org.id, "2025-Q1")["Minutes per Ticket"] == D("45.00")


def test_formula_problems_are_refused_before_saving(session: Session) -> None:
    with pytest.raises(InvalidInput, match="unknown name"):
        add_kpi(session, "X", "[Nothing] / 2", unit="count")
    with pytest.raises(InvalidInput, match="cycle"):
        add_kpi(session, "Y", "[Y] + 1", unit="count")
    with pytest.raises(Conflict, match="already a metric name"):
        add_kpi(session, "reactive hours", "1", unit="hours")
    with pytest.raises(Conflict, match="already a KPI name"):
        add_kpi(session, "RHEM", "1", unit="hours")
    with pytest.raises(InvalidInput, match="not a unit"):
        add_kpi(session, "Z", "1", unit="furlongs")
    add_kpi(session, "Half Net", "[Net Profit] / 2", unit="currency")
    # Net Profit may not now be redefined through Half Net: that would be a cycle.
    with pytest.raises(InvalidInput, match="cycle"):
        update_kpi(session, "Net Profit", {"formula": "[Half Net] * 2"})


def test_changed_formula_recomputes_stored_values(session: Session) -> None:
    org = make_organization(session)
    ingest_metrics(session, inputs(org.id, {("2025-01", "New MRR"): 500, ("2025-01", "Lost MRR"): 200}))
    assert kpis(session, org.id, "2025-01")["Net MRR Gain"] == D("300.00")
    update_kpi(session, "net mrr gain", {"formula": "[New MRR] - [Lost MRR] * 2"})
    assert kpis(session, org.id, "2025-01")["Net MRR Gain"] == D("100.00")
    with pytest.raises(InvalidInput, match="cannot change"):
        update_kpi(session, "Net MRR Gain", {"kpi_name": "x"})


def test_direction_change_must_fit_thresholds(session: Session) -> None:
    set_threshold(session, "Net MRR Gain", warning="100", critical="0")
    with pytest.raises(Conflict, match="do not fit the new direction"):
        update_kpi(session, "Net MRR Gain", {"direction": "lower_is_better"})
    with pytest.raises(Conflict, match="delete them before removing its direction"):
        update_kpi(session, "Net MRR Gain", {"direction": None})


def test_check_finds_a_broken_stored_formula(session: Session) -> None:
    assert all(check.problem is None for check in check_kpis(session))
    session.execute(update(KpiDefinition).where(KpiDefinition.kpi_name == "AISP").values(formula="[Seats] /"))
    broken = [check for check in check_kpis(session) if check.problem]
    assert [check.kpi_name for check in broken] == ["AISP"]


def test_kpis_cli(engine: Engine) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["orgs", "create", "Acme"]).exit_code == 0
    with Session(engine) as session:
        acme = find_organization(session, "Acme").id
        ingest_metrics(session, inputs(acme, {("2025-01", "Reactive Hours"): 9, ("2025-02", "Endpoints Managed"): 3}))
        session.commit()
    catalog = runner.invoke(app, ["kpis", "list"])
    assert "RHEM" in catalog.output
    values = runner.invoke(app, ["kpis", "list", "Acme", "--period", "2025-01"])
    assert values.exit_code == 0, values.output
    assert "no value for [Endpoints Managed]" in values.output
    checked = runner.invoke(app, ["kpis", "check", "[Reactive Hours] * 2", "--org", "Acme", "--period", "2025-01"])
    assert "Acme, 2025-01 (months = 1): 18.00" in checked.output
    assert runner.invoke(app, ["kpis", "check"]).exit_code == 0
    bad = runner.invoke(app, ["kpis", "check", "[Reactive Hours] *"])
    assert bad.exit_code != 0
    assert "column" in bad.output
    added = runner.invoke(app, ["kpis", "add", "Double Hours", "[Reactive Hours] * 2", "--unit", "hours"])
    assert added.exit_code == 0, added.output
