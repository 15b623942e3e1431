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
