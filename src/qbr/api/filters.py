"""Filtering a list query on the query parameters the client gave."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select


def equal_if_given(query: Select[Any], **values: object) -> Select[Any]:
    """``query`` filtered on each column (named as its query parameter) whose value the client gave."""
    entity = query.column_descriptions[0]["entity"]
    for name, value in values.items():
        if value is not None:
            query = query.where(getattr(entity, name) == value)
    return query
