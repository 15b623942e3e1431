"""The figures of a dashboard that are facts rather than labels: a change in percent or in percentage points,
whether a period is still in progress, and which KPIs are totals like the metrics they add up. The pages, the
PDF and the API show them through qbr.presentation.figures."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from qbr.periods.calendar import parse_period

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_NAME = re.compile(r"\[([^\]]+)\]")
_ADDITIVE = re.compile(r"[\s()+\-]*")


def change_pct(value: Decimal | None, before: Decimal | None) -> Decimal | None:
    """The change from ``before`` to ``value`` in percent of ``before``'s size, to cents; None without a base."""
    if value is None or before is None or before == 0:
        return None
    return ((value - before) / abs(before) * _HUNDRED).quantize(_CENT, rounding=ROUND_HALF_UP)


def change_points(value: Decimal | None, before: Decimal | None) -> Decimal | None:
    """The change of a percentage in percentage points: 19 % → 22.6 % is +3.6 (never "+18.9 %")."""
    if value is None or before is None:
        return None
    return (value - before).quantize(_CENT, rounding=ROUND_HALF_UP)


def is_in_progress(period_value: str, today: date) -> bool:
    """Whether the month or quarter has not ended by ``today``: its figures cover only part of it."""
    return parse_period(period_value).end_date >= today


def kpi_rollups(metric_rollups: Mapping[str, str], kpis: Sequence[tuple[str, str]]) -> dict[str, str | None]:
    """Which KPIs are totals: a formula that only adds and subtracts summed metrics or other totals (Total
    Revenue, Net Profit) is a quarter's total like its inputs; anything that divides or multiplies is a ratio."""
    rollups: dict[str, str | None] = {name: None for name, _ in kpis}
    changed = True
    while changed:  # a total may be built from totals defined later in the catalog
        changed = False
        for name, formula in kpis:
            if rollups[name] is None and _is_total(formula, metric_rollups, rollups):
                rollups[name] = "sum"
                changed = True
    return rollups


def _is_total(formula: str, metric_rollups: Mapping[str, str], kpi_rollups: Mapping[str, str | None]) -> bool:
    names = _NAME.findall(formula)
    operators = _NAME.sub("", formula)
    if not names or _ADDITIVE.fullmatch(operators) is None:
        return False
    return all(metric_rollups.get(name) == "sum" or kpi_rollups.get(name) == "sum" for name in names)
