"""Timestamps as the command line shows them."""

from __future__ import annotations

from datetime import UTC, datetime


def when(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
