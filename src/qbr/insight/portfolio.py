"""Portfolio benchmark: where a client's KPI stands among the MSP's other active client organizations.

Peers are the active client organizations (never the MSP itself, never an inactive organization) that have a value
for the KPI in the same period. The percentile is the mid-rank percentile: organizations doing worse count fully,
organizations with the same value (the organization itself included) count half, so tied organizations share one
percentile and a portfolio of one sits at 50. "Worse" follows the KPI's direction (``lower_is_better`` inverts);
a KPI without a direction has no standing. Quartile 1 is the best quarter (percentile of 75 or more).

All values of one period are read with one statement for every KPI and organization at once. A batch of reports
reads them once per period (``shared_portfolio_reads``): every report of a quarter ranks its client among the same
peers, and the portfolio's data version says whether they are still the same.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import Literal

from sqlalchemy import Connection, false, select, true

from qbr.catalog import HIGHER, LOWER
from qbr.core.versions import fingerprint_on
from qbr.kpis.models import SmartNumber
from qbr.organizations.models import Organization

# The client edition names a standing only when at least this many *other* organizations are compared, so that no
# single peer's figure can be inferred from it.
CLIENT_MIN_OTHERS = 5
_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)
_QUARTILE_WORDS = {1: "top quartile", 2: "second quartile", 3: "third quartile", 4: "bottom quartile"}

Quartile = Literal[1, 2, 3, 4]


@dataclass(frozen=True)
class Standing:
    """One organization's standing for one KPI in one period."""

    percentile: Decimal  # 0-100, higher is better whatever the KPI's direction
    quartile: Quartile  # 1 is the best quarter
    median: Decimal  # of every compared organization's value, the organization's own included
    organizations: int  # how many organizations are compared, the organization itself included

    def client_statement(self) -> str | None:
        """The anonymous sentence a client may read, or None when too few other organizations are compared."""
        if self.organizations - 1 < CLIENT_MIN_OTHERS:
            return None
        return f"{_QUARTILE_WORDS[self.quartile]} of the {self.organizations} organizations we support"


def quartile_of(percentile: Decimal) -> Quartile:
    """1 for a percentile of 75 or more, 2 from 50, 3 from 25, 4 below."""
    if percentile >= 75:
        return 1
    if percentile >= 50:
        return 2
    if percentile >= 25:
        return 3
    return 4


def standing(value: Decimal, compared: Iterable[Decimal], direction: str | None) -> Standing | None:
    """The standing of ``value`` among ``compared`` (every compared value, ``value`` itself included)."""
    return _Peers(compared).standing(value, direction)


class _Peers:
    """The compared values of one KPI, sorted once so that each organization's rank is two binary searches."""

    def __init__(self, values: Iterable[Decimal]) -> None:
        self.values = sorted(values)
        self.median = Decimal(median(self.values)).quantize(_CENT, rounding=ROUND_HALF_UP) if self.values else None

    def standing(self, value: Decimal, direction: str | None) -> Standing | None:
        if direction not in (HIGHER, LOWER) or self.median is None:
            return None
        count = len(self.values)
        below, above = bisect_left(self.values, value), count - bisect_right(self.values, value)
        worse = below if direction == HIGHER else above
        same = count - below - above
        percentile = (_HUNDRED * (worse + Decimal(same) / 2) / count).quantize(_CENT, rounding=ROUND_HALF_UP)
        return Standing(percentile, quartile_of(percentile), self.median, count)


Row = tuple[int, str, Decimal]  # organization id, KPI name, value


def standings(
    rows: Iterable[Row], directions: Mapping[str, str | None], organization_id: int | None = None
) -> dict[tuple[int, str], Standing]:
    """The standing of every organization (or only ``organization_id``) for every KPI with a direction, from the
    peers' values (see ``portfolio_rows``). An organization absent from the rows (the MSP, an inactive one) has
    none."""
    by_kpi: dict[str, dict[int, Decimal]] = {}
    for org_id, kpi_name, value in rows:
        by_kpi.setdefault(kpi_name, {})[org_id] = value
    result: dict[tuple[int, str], Standing] = {}
    for kpi_name, values in by_kpi.items():
        direction = directions.get(kpi_name)
        if direction not in (HIGHER, LOWER) or (organization_id is not None and organization_id not in values):
            continue
        peers = _Peers(values.values())
        wanted = values.items() if organization_id is None else [(organization_id, values[organization_id])]
        for org_id, value in wanted:
            found = peers.standing(value, direction)
            if found is not None:
                result[org_id, kpi_name] = found
    return result


_smartnumbers = SmartNumber.__table__
_organizations = Organization.__table__
_PEER_VALUES = (
    select(_smartnumbers.c.organization_id, _smartnumbers.c.kpi_name, _smartnumbers.c.kpi_value)
    .join_from(_smartnumbers, _organizations, _organizations.c.id == _smartnumbers.c.organization_id)
    .where(
        _organizations.c.is_active.is_(true()),
        _organizations.c.is_msp.is_(false()),
        _smartnumbers.c.kpi_value.is_not(None),
    )
)


# period -> (the portfolio's fingerprint when read, its rows); None outside ``shared_portfolio_reads``.
_SharedReads = dict[str, tuple[str, list[Row]]]
_shared_reads: ContextVar[_SharedReads | None] = ContextVar("qbr_shared_portfolio_reads", default=None)


@contextmanager
def shared_portfolio_reads() -> Iterator[None]:
    """Within the block, ``portfolio_rows`` reads a period's rows once and reuses them for as long as the
    portfolio's data version (read in each caller's own transaction) has not moved."""
    token = _shared_reads.set({})
    try:
        yield
    finally:
        _shared_reads.reset(token)


def share_portfolio_reads_for_this_process() -> None:
    """``shared_portfolio_reads`` for the rest of this process: a worker that renders one report after another."""
    _shared_reads.set({})


def portfolio_rows(connection: Connection, period: str) -> list[Row]:
    """The KPI values of every active client organization in ``period``: one statement, or none when a read of
    the same period is shared (see ``shared_portfolio_reads``) and still current."""
    shared = _shared_reads.get()
    if shared is None:
        return _read_rows(connection, period)
    # SHARED and PORTFOLIO cover every write to KPI values and organizations (an undeclared set-based write counts
    # as SHARED), so the same fingerprint means the same rows.
    fingerprint = fingerprint_on(connection, [])
    known = shared.get(period)
    if known is not None and known[0] == fingerprint:
        return known[1]
    rows = _read_rows(connection, period)
    shared[period] = (fingerprint, rows)
    return rows


def _read_rows(connection: Connection, period: str) -> list[Row]:
    rows = connection.execute(_PEER_VALUES.where(_smartnumbers.c.period == period)).all()
    return [(organization_id, kpi_name, value) for organization_id, kpi_name, value in rows]
