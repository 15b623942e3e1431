"""The overview reads a fixed number of SQL statements, however many organizations there are."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from qbr.core.principal import Principal
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.periods.calendar import parse_period
from qbr.web.overview import build_overview
from tests.dashboard_support import QUARTER, seed_qbr_data
from tests.support import make_organization

EVERYONE = Principal(kind="user", id=1, name="ada", role="viewer")


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_statement_count_does_not_grow_with_organizations(engine: Engine, session: Session) -> None:
    seed_qbr_data(session)
    with counting(engine) as small:
        few = build_overview(session, EVERYONE, parse_period(QUARTER))
    rows = []
    for number in range(30):
        organization = make_organization(session, f"Client {number:02d}")
        for month in ("2025-01", "2025-02", "2025-03"):
            rows.append(MetricInput(organization.id, month, "Reactive Hours", 10 + number, "ConnectWise"))
            rows.append(MetricInput(organization.id, month, "Endpoints Managed", 40, "NinjaOne"))
    ingest_metrics(session, rows)
    with counting(engine) as large:
        many = build_overview(session, EVERYONE, parse_period(QUARTER))
    assert len(few.rows) == 4
    assert len(many.rows) == 34
    assert len(large) == len(small) <= 5  # the key KPIs, organizations, values, thresholds, the portfolio
    rhem = {row.organization_name: row.cells[1] for row in many.rows}
    assert rhem["Client 29"].kpi_name == "RHEM"
    assert str(rhem["Client 29"].kpi_value) == "0.98"  # 39 h / 40 endpoints / 1 month
    assert rhem["Client 29"].status == "critical"


def test_scope_and_search_are_applied_in_the_query(session: Session) -> None:
    data = seed_qbr_data(session)
    limited = Principal(kind="user", id=2, name="vic", role="viewer", organization_ids=frozenset({data.acme}))
    assert [row.organization_name for row in build_overview(session, limited, parse_period(QUARTER)).rows] == [
        "Acme Corp"
    ]
    found = build_overview(session, EVERYONE, parse_period(QUARTER), "north")
    assert [row.organization_name for row in found.rows] == ["Northwind IT"]
