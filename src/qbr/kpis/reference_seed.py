"""The industry reference ranges a new install starts with: published figures, each with its source written down.

docs/reference-ranges.md says what each figure is and where it was published. A KPI for which no public source
was found has no range here. Like the catalog, this is the seed as of the migration that adds the table
(2026_12_03_0070); changing a seeded range later takes a new data migration.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

HIGHER = "higher_is_better"
LOWER = "lower_is_better"


@dataclass(frozen=True)
class ReferenceRangeSpec:
    kpi_name: str
    low: Decimal | None
    high: Decimal | None
    direction: str
    source_publisher: str
    source_title: str
    source_url: str | None
    source_year: int
    note: str | None


SEEDED_REFERENCE_RANGES: tuple[ReferenceRangeSpec, ...] = ()


def reference_range_rows() -> list[dict[str, object]]:
    """The seeded ranges as rows of ``kpi_reference_ranges``."""
    return [asdict(spec) for spec in SEEDED_REFERENCE_RANGES]
