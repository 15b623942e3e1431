"""SQLite and PostgreSQL give the same figures, to the cent, from the same inputs.

The demonstration MSP (thousands of values with averages, sums, ratios and manual overrides) plus values chosen to
land on rounding ties is loaded into a fresh database of each kind; every stored figure must be identical.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from qbr.core import migrate
from qbr.core.database import make_engine
from qbr.demo.load import load_demo
from qbr.ingest.manual import set_manual_value
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.kpis.models import SmartNumber
from qbr.metrics.models import MetricMonthly, MetricQuarterly
from qbr.organizations.models import Organization
from tests.conftest import create_postgres_database, drop_postgres_database


@pytest.fixture
def both(tmp_path: Path) -> Iterator[list[Engine]]:
    postgres_url = create_postgres_database()
    engines = [make_engine(f"sqlite:///{tmp_path / 'agree.db'}"), make_engine(postgres_url)]
    for engine in engines:
        migrate.upgrade(engine)
    yield engines
    for engine in engines:
        engine.dispose()
    drop_postgres_database(postgres_url)


def load(engine: Engine) -> None:
    with Session(engine) as session:
        load_demo(session, orgs=6, months=9, today=date(2026, 3, 15))
        org = session.scalar(select(Organization.id).where(Organization.name == "Acme Dental Group"))
        assert org is not None
        # Averages and ratios that fall exactly on half a cent, where binary floating point would go astray.
        ties = {
            "Endpoints Managed": ("2.675", "2.675"),
            "Seats Managed": ("1.005", "1.006"),
            "Employees": ("0.125", "0.135"),
        }
        ingest_metrics(
            session,
            [
                MetricInput(org, period, name, values[index], "CSV")
                for name, values in ties.items()
                for index, period in enumerate(("2024-01", "2024-02"))
            ],
        )
        set_manual_value(session, org, "2026-01", "Reactive Hours", "0.005", note="tie")
        session.commit()


def figures(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with Session(engine) as session:
        return {
            "monthly": _rows(
                session,
                MetricMonthly.metric_value,
                MetricMonthly.metric_name,
                MetricMonthly.source_system,
                MetricMonthly.period,
                MetricMonthly.organization_id,
            ),
            "quarterly": _rows(
                session,
                MetricQuarterly.metric_value,
                MetricQuarterly.metric_name,
                MetricQuarterly.period,
                MetricQuarterly.organization_id,
            ),
            "kpis": _rows(
                session,
                SmartNumber.kpi_value,
                SmartNumber.kpi_name,
                SmartNumber.period,
                SmartNumber.organization_id,
                SmartNumber.calculation_method,
            ),
        }


def _rows(session: Session, *columns: Any) -> list[tuple[Any, ...]]:
    return sorted((tuple(row) for row in session.execute(select(*columns))), key=lambda row: [str(c) for c in row])


def test_sqlite_and_postgresql_store_identical_figures(both: list[Engine]) -> None:
    for engine in both:
        load(engine)
    sqlite, postgres = (figures(engine) for engine in both)
    assert len(sqlite["kpis"]) > 1000
    for table in ("monthly", "quarterly", "kpis"):
        assert sqlite[table] == postgres[table], table
    quarter = {row[1]: row[0] for row in sqlite["quarterly"] if row[2] == "2024-Q1" and row[0] is not None}
    assert (str(quarter["Endpoints Managed"]), str(quarter["Seats Managed"]), str(quarter["Employees"])) == (
        "2.68",
        "1.01",
        "0.14",
    )
