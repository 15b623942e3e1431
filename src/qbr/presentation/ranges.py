"""The MSP's figures against the industry's reference ranges, as the SmartNumbers page and the internal report
show them: the range in the KPI's unit, where the figure sits (judged with the range's direction), and each
source once, numbered, with its year."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qbr.dashboard.schemas import DashboardKpi, DashboardReferenceRange
from qbr.presentation.values import Number, format_value

_POSITION_TEXT = {
    ("above", "better"): "Above: better than the range",
    ("above", "worse"): "Above: worse than the range",
    ("below", "better"): "Below: better than the range",
    ("below", "worse"): "Below: worse than the range",
}


@dataclass(frozen=True)
class RangeSource:
    number: int
    publisher: str
    title: str
    year: int | None
    url: str | None

    @property
    def label(self) -> str:
        """Short enough for a table cell: the publisher's first words and the year (``TruMethods, 2016``)."""
        short = self.publisher.split(" (")[0].split(",")[0]
        return f"{short}, {self.year}" if self.year else short

    @property
    def citation(self) -> str:
        """``Publisher, “Title” (2016)``; an undated source says so."""
        return f"{self.publisher}, “{self.title}” ({self.year or 'undated'})"


@dataclass(frozen=True)
class RangeRow:
    kpi: DashboardKpi
    range: DashboardReferenceRange
    range_text: str
    position_text: str
    source: RangeSource


@dataclass(frozen=True)
class IndustryComparison:
    rows: list[RangeRow]
    sources: list[RangeSource]


def range_text(low: Number | None, high: Number | None, unit: str) -> str:
    """``10% – 25%``, ``95% or more``, ``0.25 h or less``, ``$100 – $130``."""
    if low is not None and high is not None:
        return f"{_end(low, unit)} – {_end(high, unit)}"
    if low is not None:
        return f"{_end(low, unit)} or more"
    return f"{_end(high, unit)} or less"


def _end(value: Number | None, unit: str) -> str:
    # A published range's ends are round figures: "$100", not the "$100.00" a measured seat price is shown with.
    text = format_value(value, unit)
    return text.removesuffix(".00") if unit == "currency" else text


def position_text(found: DashboardReferenceRange) -> str:
    if found.position is None or found.verdict is None:
        return "No value this period"
    if found.position == "within":
        return "Within the range"
    return _POSITION_TEXT[(found.position, found.verdict)]


def industry_comparison(kpis: Sequence[DashboardKpi]) -> IndustryComparison:
    """The KPIs that carry a reference range, each with its source's footnote number (one per distinct source)."""
    sources: dict[tuple[str, str, int | None, str | None], RangeSource] = {}
    rows = []
    for kpi in kpis:
        found = kpi.reference_range
        if found is None:
            continue
        key = (found.source_publisher, found.source_title, found.source_year, found.source_url)
        source = sources.setdefault(key, RangeSource(len(sources) + 1, *key))
        rows.append(RangeRow(kpi, found, range_text(found.low, found.high, kpi.unit), position_text(found), source))
    return IndustryComparison(rows, list(sources.values()))
