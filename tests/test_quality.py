"""Data-quality signals: each kind found where it should be, and nothing where all is well."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from qbr.cli import app
from qbr.dashboard.quality import QualitySignal, data_quality
from qbr.ingest.writing import ingest_metrics
from qbr.organizations.models import OrganizationLink
from tests.metrics_support import inputs
from tests.support import make_organization


def kinds(signals: list[QualitySignal]) -> set[tuple[str, str | None, str]]:
    return {(s.kind, s.period, s.subject) for s in signals}


def test_every_kind_of_signal(session: Session) -> None:
    org = make_organization(session, "Acme")
    other = make_organization(session, "Other")
    session.add_all(
        [
            OrganizationLink(organization_id=other.id, source_system="NinjaOne", external_id="7"),
            OrganizationLink(organization_id=org.id, source_system="ConnectWise", external_id="8"),
        ]
    )
    big = "9999999999.99"
    ingest_metrics(
        session,
        inputs(
            org.id,
            {
                ("2024-12", "Endpoints Managed"): 40,
                ("2024-12", "Reactive Hours"): 20,
                ("2025-01", "Endpoints Managed"): 41,
                ("2025-01", "Reactive Hours"): 45,  # +125 %
                ("2025-01", "Reactive Tickets Created"): 0,
                ("2025-01", "Tickets With SLA"): 0,
                ("2025-01", "Tickets Met SLA"): 0,
                ("2025-02", "Reactive Hours"): 44,  # no endpoints this month, unlike the others
                ("2025-01", "Product Sales"): big,
                ("2025-02", "Product Sales"): big,
            },
        ),
    )
    signals = data_quality(session, org.id, "2025-Q1")
    found = kinds(signals)
    assert ("zero_activity", "2025-01", "Reactive Tickets Created") in found
    assert ("zero_activity", "2025-02", "Endpoints Managed") in found
    assert ("big_change", "2025-01", "Reactive Hours") in found
    assert ("big_change", "2025-02", "Reactive Hours") not in found  # 45 → 44
    assert ("kpi_not_computed", "2025-Q1", "SLA Compliance %") in found
    assert ("rollup_out_of_range", "2025-Q1", "Product Sales") in found
    assert ("missing_link", None, "NinjaOne") in found
    messages = {s.subject: s.message for s in signals if s.kind in ("big_change", "kpi_not_computed")}
    assert messages["Reactive Hours"] == "Reactive Hours rose 125 % from 2024-12 (20.00 → 45.00)"
    assert messages["SLA Compliance %"] == "SLA Compliance %: division by zero: [Tickets With SLA] is 0"


def test_clean_data_has_no_signals(session: Session) -> None:
    org = make_organization(session)
    ingest_metrics(
        session,
        inputs(
            org.id,
            {
                ("2025-01", "Endpoints Managed"): 40,
                ("2025-01", "Reactive Tickets Created"): 12,
                ("2025-02", "Endpoints Managed"): 42,
                ("2025-02", "Reactive Tickets Created"): 15,
            },
        ),
    )
    assert data_quality(session, org.id, "2025-02") == []
    assert data_quality(session, org.id + 1000, "2025-02") == []


def test_quality_cli(engine: Engine) -> None:
    with Session(engine) as session:
        org = make_organization(session, "Acme")
        ingest_metrics(session, inputs(org.id, {("2025-01", "Endpoints Managed"): 0}))
        session.commit()
    result = CliRunner().invoke(app, ["metrics", "quality", "--period", "2025-01"])
    assert result.exit_code == 0, result.output
    assert "Endpoints Managed is 0 in 2025-01" in result.output
    assert (
        "no data-quality signals"
        in CliRunner().invoke(app, ["metrics", "quality", "Acme", "--period", "2024-01"]).output
    )
