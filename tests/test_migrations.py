"""Migrations go up, down and up again on both databases, and agree with the models."""

from __future__ import annotations

from sqlalchemy import inspect

from qbr.core import migrate
from qbr.core.database import make_engine
from qbr.core.orm import Base


def test_upgrade_downgrade_upgrade(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    try:
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision(engine)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())

        migrate.downgrade(engine, "base")
        assert migrate.current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision(engine)
        migrate.check(engine)  # raises if models and migrations disagree
    finally:
        engine.dispose()


def test_models_and_migrations_agree(engine: object) -> None:
    from sqlalchemy import Engine

    assert isinstance(engine, Engine)
    migrate.check(engine)


def test_an_existing_install_gets_audiences_and_descriptions_but_keeps_its_own_texts(fresh_database_url: str) -> None:
    """20261203_0020 on an install made before it: built-in client items become client, the rest internal, and
    a description an administrator wrote is kept while the seeded ones become plain language."""
    from sqlalchemy import text

    from qbr.catalog_texts import PLAIN_DESCRIPTIONS

    engine = make_engine(fresh_database_url)
    try:
        migrate.upgrade(engine, "0001")
        with engine.begin() as connection:
            connection.execute(text("UPDATE kpi_definitions SET description = 'Our own words' WHERE kpi_name = 'RHEM'"))
            connection.execute(
                text(
                    "INSERT INTO metric_definitions (metric_name, unit, rollup) "
                    "VALUES ('Onboarding Hours', 'hours', 'sum')"
                )
            )
        migrate.upgrade(engine, "20261203_0020")
        with engine.connect() as connection:
            kpis = dict(connection.execute(text("SELECT kpi_name, audience FROM kpi_definitions")).all())
            texts = dict(connection.execute(text("SELECT kpi_name, description FROM kpi_definitions")).all())
            metrics = dict(connection.execute(text("SELECT metric_name, audience FROM metric_definitions")).all())
            hours = connection.scalar(
                text("SELECT description FROM metric_definitions WHERE metric_name = 'Reactive Hours'")
            )
        assert (kpis["RHEM"], kpis["SLA Compliance %"], kpis["Profit Margin"], kpis["AISP"]) == (
            "client",
            "client",
            "internal",
            "internal",
        )
        assert (metrics["Endpoints Managed"], metrics["Employee Expense"], metrics["Onboarding Hours"]) == (
            "client",
            "internal",
            "internal",
        )
        assert texts["RHEM"] == "Our own words"
        assert texts["Backup Success %"] == PLAIN_DESCRIPTIONS["Backup Success %"]
        assert hours == PLAIN_DESCRIPTIONS["Reactive Hours"]
        migrate.downgrade(engine, "0001")
        with engine.connect() as connection:
            back = connection.scalar(
                text("SELECT description FROM metric_definitions WHERE metric_name = 'Reactive Hours'")
            )
        assert back == "Hours of service-ticket time entries on reactive tickets, entered in the month"
    finally:
        engine.dispose()
