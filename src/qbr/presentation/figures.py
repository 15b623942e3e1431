"""Rules that keep a figure from misleading (STYLE.md rule 13): what a quarter's figure is (a total, a monthly
average, a closing value), changes of percentages in points, partial periods marked, empty series folded, and
percentage axes that stop at 100 % unless a value went beyond it. Pure functions, shared by pages, charts and PDF;
the facts they label (points, periods in progress, which KPIs are totals) come from qbr.dashboard.figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from qbr.presentation.periods import period_title
from qbr.presentation.values import NO_VALUE, Change, Number, Verdict, format_value, to_decimal

Item = TypeVar("Item")


def describe_points(points: Number | None, direction: str | None, *, versus: str) -> Change:
    """A change in percentage points shown as ``+3.6 pts`` with an arrow and whether it is good news."""
    if points is None:
        return Change(NO_VALUE, "", "neutral", f"no comparison with {versus}")
    amount = to_decimal(points).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if amount == 0:
        return Change("0.0 pts", "→", "same", f"unchanged from {versus}")
    rising = amount > 0
    verdict: Verdict = "neutral"
    if direction in ("higher_is_better", "lower_is_better"):
        verdict = "better" if rising == (direction == "higher_is_better") else "worse"
    meaning = f" ({verdict})" if verdict != "neutral" else ""
    text = f"{'+' if rising else '-'}{abs(amount)} pts"
    words = f"{'up' if rising else 'down'} {abs(amount)} percentage points vs {versus}{meaning}"
    return Change(text, "▲" if rising else "▼", verdict, words)


def partial_title(period_value: str, is_partial: bool) -> str:
    """The period's name, marked when it is still in progress: ``Q4 2026 (Oct–Dec), in progress``."""
    title = period_title(period_value)
    return f"{title}, in progress" if is_partial else title


def partial_label(period_value: str, is_partial: bool) -> str:
    """A short axis or column label: ``2026-Q4*``-style marks are easy to miss, so the word is spelled out."""
    return f"{period_value} (partial)" if is_partial else period_value


def figure_label(rollup: str | None, period_type: str, *, is_partial: bool = False, months: int = 0) -> str | None:
    """What a quarter's figure is, in words: ``quarter total``, ``monthly average``, ``at quarter end``.

    None for a month (a month's figure is what it says) and for ratios, which are computed for the period itself.
    A quarter in progress says how much of it the figure covers.
    """
    if period_type != "quarterly" or rollup is None:
        return None
    so_far = f", {months} of 3 months" if is_partial and months else ""
    if rollup == "sum":
        return f"quarter total so far{so_far}" if is_partial else "quarter total"
    if rollup == "avg":
        return f"monthly average{so_far}"
    if rollup == "last":
        return "latest month" if is_partial else "at quarter end"
    return None


def format_figure(value: Number | None, unit: str, rollup: str | None, period_type: str) -> str:
    """``value`` in ``unit`` without false precision: a quarter's average of counts (``122.67``) is shown as a whole
    number from 10 up (``123``) and with one decimal below (``8.5``)."""
    if value is None or not (unit == "count" and rollup == "avg" and period_type == "quarterly"):
        return format_value(value, unit)
    amount = to_decimal(value)
    places = Decimal(1) if abs(amount) >= 10 else Decimal("0.1")
    rounded = amount.quantize(places, rounding=ROUND_HALF_UP)
    # "1 agreement", not "1.0": a decimal only where it says something.
    return f"{rounded:,.0f}" if rounded == rounded.to_integral_value() else f"{rounded:,.1f}"


def fold_empty_series(
    items: Iterable[Item], values: Callable[[Item], Iterable[Number | None]]
) -> tuple[list[Item], list[Item]]:
    """Split items into those worth a chart and those with no data or only zeros, which are listed on one line
    instead of drawing empty charts."""
    charted: list[Item] = []
    folded: list[Item] = []
    for item in items:
        has_signal = any(value is not None and to_decimal(value) != 0 for value in values(item))
        (charted if has_signal else folded).append(item)
    return charted, folded


def percent_axis(low: float, high: float, step: float, values: Sequence[float]) -> tuple[float, float]:
    """A percentage axis never suggests values above 100 % that did not happen: its top stops at 100 unless a
    value (or a threshold) is above it."""
    if high > 100 and all(value <= 100 for value in values):
        high = 100.0
        low = min(low, 100.0 - step)
    return low, high
