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
    source_year: int | None
    note: str | None


# TruMethods' "Checkpoint" slide puts an average MSP next to a world-class one; each range runs from the first to the
# second, so "within" means better than the average MSP but not yet world class.
_TRUMETHODS = "TruMethods (Gary Pica), N-able partner webinar"
_TRUMETHODS_TITLE = "The math and science of top MSP profitability"
_TRUMETHODS_URL = "https://www.slideshare.net/slideshow/2016-q3-n-able-profitablity-math-and-science/64293443"
_AG_COACHING = "Advanced Global MSP Coaching"

SEEDED_REFERENCE_RANGES: tuple[ReferenceRangeSpec, ...] = (
    ReferenceRangeSpec(
        "RHEM",
        None,
        Decimal("0.25"),
        LOWER,
        _AG_COACHING,
        "Unicorn or Narwhal? How does your Client Experience measure up?",
        "https://agmspcoaching.com/blog/unicorn-or-narwhal-how-does-your-client-experience-measure-up",
        None,
        "Efficiency target: below 1 reactive hour a month for every 4 endpoints (0.25 h). A coaching firm's target "
        "from the MSPs it works with, not a survey; the page carries no date.",
    ),
    ReferenceRangeSpec(
        "Profit Margin",
        Decimal("10"),
        Decimal("25"),
        HIGHER,
        _TRUMETHODS,
        _TRUMETHODS_TITLE,
        _TRUMETHODS_URL,
        2016,
        "Net profit: 10 % for the average MSP, 25 % and more for a world-class one.",
    ),
    ReferenceRangeSpec(
        "Annualized Service Revenue per Employee",
        Decimal("100000"),
        Decimal("150000"),
        HIGHER,
        _TRUMETHODS,
        _TRUMETHODS_TITLE,
        _TRUMETHODS_URL,
        2016,
        "Leverage, annual service revenue per employee (every employee, not only technicians): $100,000 for the "
        "average MSP, $150,000 and more for a world-class one. US dollars.",
    ),
    ReferenceRangeSpec(
        "AISP",
        Decimal("100"),
        Decimal("130"),
        HIGHER,
        _TRUMETHODS,
        _TRUMETHODS_TITLE,
        _TRUMETHODS_URL,
        2016,
        "All-in seat price a month: under $100 for the average MSP, $130 to $160 and more for a world-class one. "
        "US dollars.",
    ),
    ReferenceRangeSpec(
        "Average MRR per Agreement",
        Decimal("2000"),
        Decimal("3500"),
        HIGHER,
        _TRUMETHODS,
        _TRUMETHODS_TITLE,
        _TRUMETHODS_URL,
        2016,
        "Average monthly recurring revenue per client: under $2,000 for the average MSP, $3,500 and more for a "
        "world-class one. TruMethods divides by clients, this KPI by managed-services agreements: the same where "
        "each client has one agreement. US dollars.",
    ),
    ReferenceRangeSpec(
        "SLA Compliance %",
        Decimal("95"),
        None,
        HIGHER,
        _AG_COACHING,
        "Full Operational Optimization: What are we talking about?",
        "https://megalodon-bamboo-ara7.squarespace.com/blog/s63oatxx2yejk7a6uvhk5gmqqzkz09",
        None,
        "Throughput target: the SLA met on 95 % of tickets as the company average. A coaching firm's target, not a "
        "survey; the page carries no date.",
    ),
)


def reference_range_rows() -> list[dict[str, object]]:
    """The seeded ranges as rows of ``kpi_reference_ranges``."""
    return [asdict(spec) for spec in SEEDED_REFERENCE_RANGES]
