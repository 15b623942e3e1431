"""Fetching a row by id for a route, as a 404 problem when it does not exist."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from qbr.core.orm import Base
from qbr.errors import NotFound

RowT = TypeVar("RowT", bound=Base)


def get_or_404(session: Session, model: type[RowT], row_id: int, what: str) -> RowT:
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"no {what} with id {row_id}")
    return row
