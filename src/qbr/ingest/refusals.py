"""The messages that refuse a batch: every bad row listed, by where it is."""

from __future__ import annotations

from qbr.errors import InvalidInput, Problem

MAX_LISTED_PROBLEMS = 50


def field_location(location: str, field_name: str) -> str:
    """Where a problem is: a field of a located row ("line 7, metric_value", "items[3].period"), or the field."""
    if not location:
        return field_name
    return f"{location}.{field_name}" if location.endswith("]") else f"{location}, {field_name}"


def refusal(problems: list[tuple[int, Problem]], total: int) -> InvalidInput:
    """The one error refusing a whole batch: every bad row (up to a limit, with a count of the rest)."""
    problems.sort(key=lambda item: item[0])
    bad_rows = len({index for index, _ in problems})
    listed = [problem for _, problem in problems[:MAX_LISTED_PROBLEMS]]
    if total == 1 and len(listed) == 1:
        return InvalidInput(str(listed[0]), listed)
    verb = "is" if bad_rows == 1 else "are"
    summary = f"{bad_rows:,} of {total:,} {'row' if total == 1 else 'rows'} {verb} invalid; nothing was written"
    return InvalidInput(summary, listed, omitted=max(0, len(problems) - MAX_LISTED_PROBLEMS))
