"""``qbr metrics``: manual values from the command line and reading values back."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from qbr.cli import app
from qbr.ingest.writing import ingest_metrics
from qbr.organizations.service import find_organization
from tests.metrics_support import inputs


def test_set_list_unset(engine: Engine) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["orgs", "create", "Acme"]).exit_code == 0
    with Session(engine) as session:
        org = find_organization(session, "Acme")
        ingest_metrics(session, inputs(org.id, {("2025-01", "Endpoints Managed"): 40}, source="NinjaOne"))
        session.commit()
    result = runner.invoke(
        app, ["metrics", "set", "acme", "2025-01", "Endpoints Managed", "45", "--note", "two missed"]
    )
    assert result.exit_code == 0, result.output
    assert "Endpoints Managed of Acme for 2025-01: 40.00 → 45.00" in result.output
    again = runner.invoke(app, ["metrics", "set", "Acme", "2025-01", "Endpoints Managed", "45.00"])
    assert "already has the manual value 45.00" in again.output
    listing = runner.invoke(app, ["metrics", "list", "Acme", "--period", "2025-01", "--sources"]).output
    assert "45.00  Manual" in listing
    assert "40.00  NinjaOne (overridden)" in listing
    quarter = runner.invoke(app, ["metrics", "list", "Acme", "--period", "2025-Q1"]).output
    assert "45.00  rollup" in quarter
    removed = runner.invoke(app, ["metrics", "unset", "Acme", "2025-01", "Endpoints Managed"])
    assert "45.00 → 40.00" in removed.output
    bad = runner.invoke(app, ["metrics", "set", "Acme", "2025-01", "Endpoints Managed", "-3"])
    assert bad.exit_code != 0
    assert "is negative" in bad.output
    assert "Traceback" not in bad.output
    missing = runner.invoke(app, ["metrics", "list", "Acme"])
    assert missing.exit_code != 0
    assert "no period given" in missing.output
    catalog = runner.invoke(app, ["metrics", "catalog"]).output
    assert "Reactive Hours" in catalog
    assert "hours" in catalog
