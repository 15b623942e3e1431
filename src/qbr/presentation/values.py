"""Numbers as a QBR shows them: by unit (currency, percent, hours, days, counts), with changes and their meaning.

Values arrive as ``Decimal`` (NUMERIC(12,2) columns) or ``float`` (JSON); both are formatted through ``Decimal`` so
the page, the PDF and the API agree to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Number = Decimal | float | int

UNIT_SUFFIXES = {"percent": "%", "hours": " h", "days": " d"}
NO_VALUE = "—"


def to_decimal(value: Number) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _grouped(amount: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    return f"{amount.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


def format_number(value: Number | None) -> str:
    """A plain number with thousands separators; two decimals unless it is whole (8.5 employees → 8.50)."""
    if value is None:
        return NO_VALUE
    amount = to_decimal(value)
    return _grouped(amount, 0 if amount == amount.to_integral_value() else 2)


def format_value(value: Number | None, unit: str, *, currency_symbol: str = "$") -> str:
    """``value`` in ``unit``: ``$48,250``, ``$112.50``, ``95.24%``, ``0.31 h``, ``1,204``; ``—`` when missing."""
    if value is None:
        return NO_VALUE
    amount = to_decimal(value)
    if unit == "currency":
        # Cents matter for per-seat prices, not for revenue lines in the tens of thousands.
        digits = _grouped(abs(amount), 0 if abs(amount) >= 1000 else 2)
        return f"-{currency_symbol}{digits}" if amount < 0 else f"{currency_symbol}{digits}"
    return format_number(amount) + UNIT_SUFFIXES.get(unit, "")


def format_axis_value(value: float, unit: str, step: float, *, currency_symbol: str = "$") -> str:
    """A short tick label (``$1.2M``, ``45k``, ``95%``, ``0.25 h``) with just enough decimals for ``step``."""
    magnitude = abs(value)
    if magnitude >= 1_000_000 and step >= 100_000:
        text = f"{value / 1_000_000:.{_decimals_for(step / 1_000_000)}f}M"
    elif magnitude >= 10_000 and step >= 1_000:
        text = f"{value / 1_000:.{_decimals_for(step / 1_000)}f}k"
    else:
        text = f"{value:,.{_decimals_for(step)}f}"
    if text.startswith("-"):
        sign, text = "-", text[1:]
    else:
        sign = ""
    if unit == "currency":
        return f"{sign}{currency_symbol}{text}"
    return sign + text + UNIT_SUFFIXES.get(unit, "")


def _decimals_for(step: float) -> int:
    """Decimals needed to tell ticks ``step`` apart (1 → 0, 0.5 → 1, 0.25 → 2)."""
    for decimals in range(4):
        if abs(round(step, decimals) - step) < 1e-9:
            return decimals
    return 4


Verdict = Literal["better", "worse", "same", "neutral"]


@dataclass(frozen=True)
class Change:
    """A relative change shown as ``+12.5%`` with an arrow, and whether it is good news given the direction."""

    text: str
    arrow: str
    verdict: Verdict
    description: str  # for screen readers and tooltips: "up 12.5% (better)"


def describe_change(change_pct: Number | None, direction: str | None, *, versus: str) -> Change:
    if change_pct is None:
        return Change(NO_VALUE, "", "neutral", f"no comparison with {versus}")
    pct = to_decimal(change_pct).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if pct == 0:
        return Change("0.0%", "→", "same", f"unchanged from {versus}")
    rising = pct > 0
    verdict: Verdict = "neutral"
    if direction in ("higher_is_better", "lower_is_better"):
        verdict = "better" if rising == (direction == "higher_is_better") else "worse"
    text = f"{'+' if rising else '-'}{abs(pct)}%"
    meaning = f" ({verdict})" if verdict != "neutral" else ""
    description = f"{'up' if rising else 'down'} {abs(pct)}% vs {versus}{meaning}"
    return Change(text, "▲" if rising else "▼", verdict, description)
