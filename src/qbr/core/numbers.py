"""Exact amounts for NUMERIC(12,2) columns: parsing user input, rounding half-up to cents, and the range check.

Every value the product stores (metric values, thresholds, KPI results) passes through here, so that SQLite and
PostgreSQL receive the same two-decimal number and nothing is ever silently truncated.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from qbr.core.orm import NUMERIC_12_2_MAX

CENT = Decimal("0.01")
AMOUNT_ACCEPTED = "a decimal number such as 1234.56, between -9999999999.99 and 9999999999.99"
# Wide enough that intermediate results of formulas never lose digits before the final rounding.
EXACT = Context(prec=40, rounding=ROUND_HALF_UP)

# The smallest magnitude that rounds to a value beyond NUMERIC(12,2).
_FIRST_TOO_LARGE = NUMERIC_12_2_MAX + Decimal("0.005")

Amount = Decimal | int | float | str


class AmountError(ValueError):
    """A value that cannot be stored as NUMERIC(12,2); the message says why, for a Problem."""


def round_cents(value: Decimal) -> Decimal:
    """Round half-up (away from zero on a tie) to two decimals, the rule for every stored amount."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP, context=EXACT)


def rounds_into_numeric_12_2(value: Decimal) -> bool:
    """Whether ``value`` rounded to cents fits NUMERIC(12,2) (checked before rounding, which could overflow)."""
    return abs(value) < _FIRST_TOO_LARGE


def fits_numeric_12_2(value: Decimal) -> bool:
    """Whether ``value`` (already rounded to cents) can be stored in a NUMERIC(12,2) column."""
    return abs(value) <= NUMERIC_12_2_MAX


def parse_amount(raw: object) -> Decimal:
    """``raw`` as a finite Decimal rounded half-up to cents and within NUMERIC(12,2), or AmountError."""
    if isinstance(raw, str):  # first: files and forms give text
        try:
            number = Decimal(raw)  # surrounding whitespace is allowed
        except InvalidOperation:
            raise AmountError("is empty" if not raw.strip() else f"{raw!r} is not a number") from None
    elif isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, bool):  # bool is an int subclass; True is not an amount
        raise AmountError(f"{raw!r} is not a number")
    elif isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        # repr gives the shortest text that round-trips, so 0.1 becomes Decimal('0.1'), not its binary expansion.
        number = Decimal(repr(raw))
    elif raw is None:
        raise AmountError("is missing")
    else:
        raise AmountError(f"{raw!r} is not a number")
    if not number.is_finite():
        raise AmountError(f"{raw!r} is not a finite number")
    if not rounds_into_numeric_12_2(number):
        raise AmountError(f"{raw} is out of range")
    return round_cents(number)
