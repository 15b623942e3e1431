"""Checking every row of a batch before anything is written: organization, period, metric, value and source."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import (
    select,
)
from sqlalchemy.orm import Session

from qbr.core.numbers import AMOUNT_ACCEPTED, Amount, AmountError, parse_amount
from qbr.core.text import NAME_ACCEPTED, hidden_character_problem
from qbr.errors import InvalidInput, Problem
from qbr.ingest.refusals import field_location
from qbr.metrics.definitions import (
    MAX_NAME_LENGTH,
    NON_NEGATIVE_UNITS,
    MetricInfo,
    metric_catalog,
)
from qbr.organizations.models import Organization
from qbr.periods.calendar import PeriodRef, parse_period
from qbr.sources import KNOWN_SOURCES

MAX_SOURCE_LENGTH = 50  # source_system is VARCHAR(50)
_ORGANIZATION_ACCEPTED = "the numeric id of an existing organization (see `qbr orgs list`)"


@dataclass(frozen=True)
class MetricInput:
    """One monthly value as a writer supplies it; ``location`` names it in error messages ("line 7", "items[3]")."""

    organization_id: int
    period: str  # 'YYYY-MM' only
    metric_name: str
    metric_value: Amount
    source_system: str  # one of qbr.sources.KNOWN_SOURCES, or another system's name
    location: str = ""


# One row as a writer supplies it: organization_id, period, metric_name, metric_value, source_system.
RawRow = tuple[object, object, object, object, object]
Locate = Callable[[int], str]  # row index → where the row came from ("line 7", "items[3]"), for messages


@dataclass
class PreparedBatch:
    """Rows that passed the per-row checks, as (row_index, organization_id, period, metric, source, value)."""

    rows: list[tuple[int, int, str, str, str, Decimal]]
    problems: list[tuple[int, Problem]]
    total: int
    locate: Locate
    periods: dict[str, PeriodRef] = field(default_factory=dict)
    new_metrics: dict[str, MetricInfo] = field(default_factory=dict)


def prepare_batch(session: Session, rows: Sequence[MetricInput], *, allow_new_metrics: bool = False) -> PreparedBatch:
    """Check every row on its own (the checks that need no other row); writes nothing."""
    total = len(rows)

    def locate(index: int) -> str:
        return rows[index].location or (f"row {index + 1}" if total > 1 else "")

    raw = ((r.organization_id, r.period, r.metric_name, r.metric_value, r.source_system) for r in rows)
    return prepare_raw_rows(session, raw, total, locate, allow_new_metrics=allow_new_metrics)


def prepare_raw_rows(
    session: Session, rows: Iterable[RawRow], total: int, locate: Locate, *, allow_new_metrics: bool = False
) -> PreparedBatch:
    """``prepare_batch`` for bulk writers that hold plain tuples (a CSV file): no object per row."""
    return _Validator(session, allow_new_metrics, locate).run(rows, total)


class _Validator:
    """The per-row checks, with everything they look up loaded once and every repeated string judged once.

    The common case (a known organization, period, metric and source, a plain number) costs a few dictionary
    lookups per row; anything else goes through the slower methods that explain what is wrong.
    """

    def __init__(self, session: Session, allow_new_metrics: bool, locate: Locate) -> None:
        self.catalog = metric_catalog(session)
        self.by_lower = {name.lower(): name for name in self.catalog}
        self.organization_ids = set(session.scalars(select(Organization.id)))
        self.allow_new_metrics = allow_new_metrics
        self.locate = locate
        self.periods: dict[str, PeriodRef] = {}
        self.period_values: dict[object, str] = {}  # raw text → canonical 'YYYY-MM'
        self.bad_periods: dict[str, InvalidInput] = {}
        self.metrics: dict[object, str] = {name: name for name in self.catalog}
        self.sources: dict[object, str] = {}
        self.known_sources = {source.lower(): source for source in KNOWN_SOURCES}
        self.non_negative = {name for name, info in self.catalog.items() if info.unit in NON_NEGATIVE_UNITS}
        self.new_metrics: dict[str, MetricInfo] = {}

    def run(self, rows: Iterable[RawRow], total: int) -> PreparedBatch:
        batch = PreparedBatch(rows=[], problems=[], total=total, locate=self.locate)
        problems, accepted = batch.problems, batch.rows
        organization_ids, period_values, metrics, sources = (
            self.organization_ids,
            self.period_values,
            self.metrics,
            self.sources,
        )
        for index, (organization_id, raw_period, raw_metric, raw_value, raw_source) in enumerate(rows):
            found = len(problems)
            if type(organization_id) is not int or organization_id not in organization_ids:
                self._organization(organization_id, index, problems)
            period = period_values.get(raw_period) or self._period(raw_period, index, problems)
            metric = metrics.get(raw_metric) or self._metric(raw_metric, raw_source, index, problems)
            source = sources.get(raw_source) or self._source(raw_source, index, problems)
            try:
                value = parse_amount(raw_value)
            except AmountError as error:
                problems.append((index, Problem(self._at(index, "metric_value"), str(error), AMOUNT_ACCEPTED)))
                continue
            if value < 0 and metric is not None:
                self._negative(metric, value, index, problems)
            if len(problems) == found:
                # Every field checked above is set when no problem was added.
                accepted.append((index, organization_id, period, metric, source, value))  # type: ignore[arg-type]
        batch.periods = self.periods
        batch.new_metrics = self.new_metrics
        return batch

    def _at(self, index: int, field_name: str) -> str:
        return field_location(self.locate(index), field_name)

    def _organization(self, raw: object, index: int, problems: list[tuple[int, Problem]]) -> None:
        message = f"no organization has id {raw}" if type(raw) is int else f"{raw!r} is not an organization id"
        problems.append((index, Problem(self._at(index, "organization_id"), message, _ORGANIZATION_ACCEPTED)))

    def _period(self, raw: object, index: int, problems: list[tuple[int, Problem]]) -> str | None:
        text = raw if isinstance(raw, str) else repr(raw)
        error = self.bad_periods.get(text)
        if error is None:
            try:
                ref = parse_period(raw, location="period", expect="monthly")  # type: ignore[arg-type]
            except InvalidInput as invalid:
                error = self.bad_periods[text] = invalid
            else:
                self.periods.setdefault(ref.value, ref)
                if isinstance(raw, str):
                    self.period_values[raw] = ref.value
                return ref.value
        first = error.problems[0]
        problems.append((index, Problem(self._at(index, "period"), first.message, first.accepted)))
        return None

    def _metric(self, raw: object, source: object, index: int, problems: list[tuple[int, Problem]]) -> str | None:
        name = " ".join(raw.split()) if isinstance(raw, str) else ""
        known = self.by_lower.get(name.lower())
        if known is not None:
            self.metrics[raw] = known
            return known
        where = self._at(index, "metric_name")
        if not name:
            problems.append((index, Problem(where, "is empty", "a metric name of the catalog")))
            return None
        if self.allow_new_metrics and len(name) <= MAX_NAME_LENGTH and not any(b in name for b in "[]"):
            self.by_lower[name.lower()] = name
            self.metrics[raw] = name
            default_source = source.strip() if isinstance(source, str) and source.strip() else None
            self.new_metrics[name] = MetricInfo(name, "count", "sum", None, default_source)
            return name
        if self.allow_new_metrics:
            accepted = f"a name of at most {MAX_NAME_LENGTH} characters without [ or ]"
            problems.append((index, Problem(where, f"{name!r} cannot be a metric name", accepted)))
            return None
        close = difflib.get_close_matches(name.lower(), list(self.by_lower), n=1, cutoff=0.75)
        hint = f"did you mean {self.by_lower[close[0]]!r}? " if close else ""
        accepted = f"{hint}a metric of the catalog (`qbr metrics catalog`), or import with --allow-new-metrics"
        problems.append((index, Problem(where, f"unknown metric {name!r}", accepted)))
        return None

    def _negative(self, metric: str, value: Decimal, index: int, problems: list[tuple[int, Problem]]) -> None:
        info = self.new_metrics.get(metric)
        if info is not None:
            # A metric first seen in this import with a negative value is money-like, not a count.
            self.new_metrics[metric] = MetricInfo(metric, "currency", info.rollup, None, info.default_source)
        elif metric in self.non_negative:
            unit = self.catalog[metric].unit
            message = f"{value} is negative, but {metric!r} is measured in {unit}"
            problems.append((index, Problem(self._at(index, "metric_value"), message, "zero or more")))

    def _source(self, raw: object, index: int, problems: list[tuple[int, Problem]]) -> str | None:
        text = raw.strip() if isinstance(raw, str) else ""
        known = self.known_sources.get(text.lower())
        hidden = hidden_character_problem(text)
        if known is None and text and len(text) <= MAX_SOURCE_LENGTH and hidden is None:
            known = self.known_sources[text.lower()] = text
        if known is not None:
            self.sources[raw] = known
            return known
        message = hidden or ("is empty" if not text else f"is {len(text)} characters long")
        accepted = (
            f"{', '.join(KNOWN_SOURCES)}, or another system's name of at most {MAX_SOURCE_LENGTH} characters "
            f"({NAME_ACCEPTED})"
        )
        problems.append((index, Problem(self._at(index, "source_system"), message, accepted)))
        return None
