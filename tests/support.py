"""Helpers shared by tests: resetting a database to its freshly migrated state, and small factories."""

from __future__ import annotations

from sqlalchemy import Engine, delete, insert
from sqlalchemy.orm import Session

from qbr.catalog import catalog_rows
from qbr.core.orm import Base
from qbr.kpis.reference_seed import reference_range_rows
from qbr.organizations.models import Organization
from qbr.periods.calendar import parse_period
from qbr.periods.service import ensure_periods


def reset_database(engine: Engine) -> None:
    """Delete every row and re-seed the default catalog, as right after ``qbr db upgrade``."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))
        for table_name, rows in catalog_rows().items():
            connection.execute(insert(Base.metadata.tables[table_name]), rows)
        ranges = reference_range_rows()
        if ranges:
            connection.execute(insert(Base.metadata.tables["kpi_reference_ranges"]), ranges)


def make_organization(session: Session, name: str = "Acme Corp", *, is_msp: bool = False) -> Organization:
    organization = Organization(name=name, is_msp=is_msp, is_active=True)
    session.add(organization)
    session.flush()
    return organization


def make_periods(session: Session, *values: str) -> None:
    ensure_periods(session, [parse_period(value) for value in values])
