"""The few statements whose spelling differs between SQLite and PostgreSQL, behind one interface."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect_insert(session: Session, table: Any) -> Any:
    """An INSERT supporting ``on_conflict_do_nothing`` / ``on_conflict_do_update`` on either database."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
