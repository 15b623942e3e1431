"""Industry reference ranges of KPIs (``kpi_reference_ranges``): reading, setting and removing them, and where a
figure sits against one.

A range is in its KPI's own unit, with either end open ("0.25 hours or less") but not both. Its direction says
which side is the better one, so a figure outside the range reads as better or worse than the industry's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import urlsplit

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from qbr.core.numbers import AMOUNT_ACCEPTED, Amount, AmountError, parse_amount
from qbr.core.text import NAME_ACCEPTED, hidden_character_problem
from qbr.errors import InvalidInput, NotFound, Problem
from qbr.metrics.models import (
    DIRECTIONS,
    RANGE_EARLIEST_YEAR,
    RANGE_LATEST_YEAR,
    RANGE_NOTE_LENGTH,
    RANGE_PUBLISHER_LENGTH,
    RANGE_TITLE_LENGTH,
    RANGE_URL_LENGTH,
    KpiDefinition,
    KpiReferenceRange,
)
from qbr.metrics.names import by_name

Position = Literal["below", "within", "above"]
Verdict = Literal["better", "worse", "within"]
YEAR_ACCEPTED = f"a year from {RANGE_EARLIEST_YEAR} to {RANGE_LATEST_YEAR}, or nothing when the source has no date"
URL_ACCEPTED = "an http:// or https:// address, or nothing when the source is not public"
_DIRECTION_ACCEPTED = " or ".join(DIRECTIONS)


@dataclass(frozen=True)
class RangeInput:
    """A reference range as someone typed or sent it, before it is checked: the API, the page and the CLI."""

    low: Amount | None
    high: Amount | None
    direction: str | None
    source_publisher: str
    source_title: str
    source_url: str | None = None
    source_year: int | None = None
    note: str | None = None


def reference_ranges_query() -> Select[Any]:
    """Every range, in the catalog's order of its KPIs."""
    return (
        select(KpiReferenceRange)
        .join(KpiDefinition, KpiDefinition.kpi_name == KpiReferenceRange.kpi_name)
        .order_by(KpiDefinition.sort_order, KpiDefinition.kpi_name)
    )


def list_reference_ranges(session: Session) -> list[KpiReferenceRange]:
    return list(session.scalars(reference_ranges_query()))


def reference_ranges_by_kpi(session: Session) -> dict[str, KpiReferenceRange]:
    return {found.kpi_name: found for found in list_reference_ranges(session)}


def find_reference_range(session: Session, kpi_name: str) -> KpiReferenceRange:
    definition = _definition(session, kpi_name, location=None)
    found = session.scalar(select(KpiReferenceRange).where(KpiReferenceRange.kpi_name == definition.kpi_name))
    if found is None:
        raise NotFound(f"the KPI {definition.kpi_name!r} has no reference range")
    return found


def set_reference_range(
    session: Session, kpi_name: str, given: RangeInput, *, kpi_location: str = "kpi_name", field_prefix: str = ""
) -> tuple[KpiReferenceRange, bool]:
    """Create or replace the range of ``kpi_name``; returns it and whether it is new. Every problem is reported
    at once, by field (named ``field_prefix`` + the column: ``body.low`` for the API), and nothing is written
    unless all of them are fixed."""
    problems: list[Problem] = []
    definition = None
    try:
        definition = _definition(session, kpi_name, location=kpi_location)
    except InvalidInput as error:
        problems.extend(Problem(kpi_location, p.message, p.accepted) for p in error.problems)
    problems.extend(
        Problem(field_prefix + p.location, p.message, p.accepted) for p in _field_problems(given, definition)
    )
    if problems or definition is None:
        raise InvalidInput(f"the reference range of {kpi_name.strip()!r} was not saved", problems)
    stored = session.scalar(select(KpiReferenceRange).where(KpiReferenceRange.kpi_name == definition.kpi_name))
    created = stored is None
    if stored is None:
        stored = KpiReferenceRange(kpi_name=definition.kpi_name)
        session.add(stored)
    stored.low, stored.high = _amount("low", given.low, []), _amount("high", given.high, [])
    stored.direction = given.direction or str(definition.direction)
    stored.source_publisher = given.source_publisher.strip()
    stored.source_title = given.source_title.strip()
    stored.source_url = (given.source_url or "").strip() or None
    stored.source_year, stored.note = given.source_year, (given.note or "").strip() or None
    session.flush()
    return stored, created


def _field_problems(given: RangeInput, definition: KpiDefinition | None) -> list[Problem]:
    problems: list[Problem] = []
    low = _amount("low", given.low, problems)
    high = _amount("high", given.high, problems)
    if low is None and high is None and not problems:
        problems.append(Problem("low", "neither end of the range was given", "a low end, a high end, or both"))
    elif low is not None and high is not None and low > high:
        problems.append(Problem("low", f"the low end {low} is above the high end {high}", f"at most {high}"))
    # Without a direction of its own, a range takes its KPI's.
    direction = given.direction or (definition.direction if definition else None)
    if given.direction and given.direction not in DIRECTIONS:
        problems.append(Problem("direction", f"{given.direction!r} is not a direction", _DIRECTION_ACCEPTED))
    elif direction is None and definition is not None:
        problems.append(Problem("direction", "no direction was given and the KPI has none", _DIRECTION_ACCEPTED))
    _text("source_publisher", given.source_publisher, RANGE_PUBLISHER_LENGTH, problems, required=True)
    _text("source_title", given.source_title, RANGE_TITLE_LENGTH, problems, required=True)
    url = _text("source_url", given.source_url, RANGE_URL_LENGTH, problems)
    if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        problems.append(Problem("source_url", f"{url!r} is not a web address", URL_ACCEPTED))
    _text("note", given.note, RANGE_NOTE_LENGTH, problems)
    year = given.source_year
    if year is not None and not RANGE_EARLIEST_YEAR <= year <= RANGE_LATEST_YEAR:
        problems.append(Problem("source_year", f"{year} is not a plausible year of publication", YEAR_ACCEPTED))
    return problems


def delete_reference_range(session: Session, kpi_name: str) -> None:
    session.delete(find_reference_range(session, kpi_name))
    session.flush()


def position_in(value: Decimal, low: Decimal | None, high: Decimal | None) -> Position:
    """Where ``value`` sits against a range whose ends are inclusive (an open end reaches forever)."""
    if low is not None and value < low:
        return "below"
    if high is not None and value > high:
        return "above"
    return "within"


def verdict_of(position: Position, direction: str) -> Verdict:
    """Better or worse than the range, judged with the range's direction; within it is neither."""
    if position == "within":
        return "within"
    higher_wins = direction == "higher_is_better"
    return "better" if (position == "above") == higher_wins else "worse"


def _definition(session: Session, kpi_name: str, *, location: str | None) -> KpiDefinition:
    found: KpiDefinition | None = by_name(session, KpiDefinition.kpi_name, kpi_name)
    if found is not None:
        return found
    message = f"no KPI named {kpi_name.strip()!r}"
    if location is None:
        raise NotFound(f"{message} (see `qbr kpis list`)")
    raise InvalidInput.single(location, message, "the name of a KPI in the catalog (`qbr kpis list`)")


def _amount(location: str, raw: Amount | None, problems: list[Problem]) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return parse_amount(raw)
    except AmountError as error:
        problems.append(Problem(location, str(error), AMOUNT_ACCEPTED))
        return None


def _text(location: str, raw: str | None, limit: int, problems: list[Problem], *, required: bool = False) -> str | None:
    text = (raw or "").strip()
    if not text:
        if required:
            problems.append(Problem(location, "is empty", f"text of at most {limit} characters"))
        return None
    if len(text) > limit:
        problems.append(Problem(location, f"is {len(text)} characters long", f"at most {limit} characters"))
    hidden = hidden_character_problem(text.replace("\n", " "))
    if hidden is not None:
        problems.append(Problem(location, hidden, NAME_ACCEPTED))
    return text
