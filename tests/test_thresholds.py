"""Setting thresholds: direction-aware validation, organization overrides, and the CLI."""

from __future__ import annotations

from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from qbr.cli import app
from qbr.errors import Conflict, InvalidInput, NotFound
from qbr.thresholds.grading import effective_thresholds
from qbr.thresholds.service import delete_threshold, list_thresholds, set_threshold
from tests.support import make_organization

D = Decimal


def test_inconsistent_thresholds_are_refused_in_both_directions(session: Session) -> None:
    with pytest.raises(InvalidInput, match=r"higher is better, so the warning value \(80.00\) must be above"):
        set_threshold(session, "SLA Compliance %", warning="80", critical="90")
    with pytest.raises(InvalidInput, match="lower is better, so the warning value"):
        set_threshold(session, "RHEM", warning="0.5")  # against the default critical 0.40
    with pytest.raises(InvalidInput, match="must be above"):
        set_threshold(session, "AISP", warning="75", critical="75")  # equal is not a band
    assert effective_thresholds(session, None)["SLA Compliance %"].warning == D("95.00")


def test_number_without_direction_takes_no_thresholds(session: Session) -> None:
    with pytest.raises(InvalidInput, match="has no direction"):
        set_threshold(session, "Endpoints Managed", warning="10")
    with pytest.raises(NotFound, match="no metric or KPI named"):
        set_threshold(session, "Happiness", warning="10")


def test_values_are_checked_like_any_amount(session: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        set_threshold(session, "AISP", warning="lots", critical="1e20")
    assert [p.location for p in caught.value.problems] == ["warning", "critical"]
    with pytest.raises(InvalidInput, match="neither a warning nor a critical"):
        set_threshold(session, "AISP")


def test_organization_override_and_delete_falls_back_to_default(session: Session) -> None:
    org = make_organization(session)
    mine = set_threshold(session, "aisp", warning="120", organization_id=org.id)
    assert (mine.metric_name, mine.warning, mine.critical, mine.source) == (
        "AISP",
        D("120.00"),
        D("75.00"),
        "organization",
    )
    assert effective_thresholds(session, None)["AISP"].warning == D("100.00")
    assert delete_threshold(session, "AISP", organization_id=org.id) == 1
    assert effective_thresholds(session, org.id)["AISP"].source == "default"
    with pytest.raises(NotFound):
        delete_threshold(session, "AISP", organization_id=org.id)


def test_changing_a_default_may_not_break_an_override(session: Session) -> None:
    org = make_organization(session, "Strict Co")
    set_threshold(session, "Backup Success %", critical="97.5", organization_id=org.id)  # default warning 98
    with pytest.raises(Conflict, match="Strict Co"):
        set_threshold(session, "Backup Success %", warning="97")  # 97 vs Strict Co's critical 97.5
    set_threshold(session, "Backup Success %", warning="99")
    assert effective_thresholds(session, org.id)["Backup Success %"].warning == D("99.00")


def test_list_shows_direction_and_source(session: Session) -> None:
    org = make_organization(session)
    set_threshold(session, "RHEM", warning="0.3", critical="0.5", organization_id=org.id)
    listing = {item.name: item for item in list_thresholds(session, org.id)}
    assert listing["RHEM"].direction == "lower_is_better"
    assert listing["RHEM"].threshold.source == "organization"
    assert listing["AISP"].threshold.source == "default"


def test_thresholds_cli(engine: Engine) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["orgs", "create", "Acme"]).exit_code == 0
    result = runner.invoke(app, ["thresholds", "set", "RHEM", "--warning", "0.3", "--org", "acme"])
    assert result.exit_code == 0, result.output
    assert "RHEM (Acme's own): warning 0.30, critical 0.40" in result.output
    listing = runner.invoke(app, ["thresholds", "list", "--org", "Acme"]).output
    assert any(line.startswith("RHEM") and "organization" in line for line in listing.splitlines())
    bad = runner.invoke(app, ["thresholds", "set", "RHEM", "--critical", "0.1"])
    assert bad.exit_code != 0
    assert "must be below" in bad.output
    deleted = runner.invoke(app, ["thresholds", "delete", "RHEM", "--org", "Acme", "--type", "warning"])
    assert deleted.exit_code == 0, deleted.output
