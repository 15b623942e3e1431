"""Building ConnectWise ``conditions`` strings safely: quoted strings, bracketed UTC dates, ``in`` lists."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime


def date_literal(moment: datetime) -> str:
    """``[2024-01-01T05:00:00Z]``: ConnectWise compares dates in UTC."""
    if moment.tzinfo is None:
        raise ValueError("ConnectWise dates need a time zone")
    return "[" + moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") + "]"


def string_literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def one_of(field: str, values: Iterable[str | int]) -> str:
    """``field in ("a", "b")`` for strings, ``field in (1, 2)`` for ids."""
    items = [str(v) if isinstance(v, int) else string_literal(v) for v in values]
    if not items:
        raise ValueError(f"an empty list for {field}")
    return f"{field} in ({', '.join(items)})"


def within(field: str, start: datetime, end: datetime) -> str:
    """``start <= field < end``."""
    return f"{field} >= {date_literal(start)} and {field} < {date_literal(end)}"


def all_of(*conditions: str | None) -> str:
    """Join conditions with ``and``, bracketing any that contain an ``or``."""
    parts = [c if " or " not in c else f"({c})" for c in conditions if c]
    return " and ".join(parts)
