"""Hostile and random input never crashes the parsers: it is accepted or refused with InvalidInput/AmountError."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from qbr.core.numbers import AmountError, parse_amount
from qbr.errors import InvalidInput
from qbr.kpis.formula import parse_formula

NAMES = {"A", "B", "C"}
# Tokens of the language and characters outside it, joined at random.
FORMULA_PIECES = st.lists(
    st.sampled_from([*"[]()+-*/.0123456789 ABC_x^%\t\\'\"", "[A]", "[B]", "months", "[Nope]", "1e5"]), max_size=40
).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.one_of(FORMULA_PIECES, st.text(max_size=60)))
def test_any_text_is_a_formula_or_a_clear_refusal(text: str) -> None:
    try:
        formula = parse_formula(text, known_names=NAMES)
    except InvalidInput as refusal:
        assert refusal.problems  # noqa: PT017 - every refusal says what was wrong
        return
    value, reason = formula.evaluate({"A": Decimal("2.5"), "B": Decimal(0), "C": Decimal("-1")}, 3)
    assert (value is None) == (reason is not None)


@st.composite
def expressions(draw: st.DrawFn, depth: int = 3) -> tuple[str, Decimal | None]:
    """A random formula and its value computed independently (None when it divides by zero)."""
    values = {"A": Decimal("7.5"), "B": Decimal("-2"), "C": Decimal(0)}
    if depth == 0 or draw(st.booleans()):
        choice = draw(st.sampled_from(["A", "B", "C", "months", "number"]))
        if choice == "number":
            number = draw(st.integers(0, 1000))
            return str(number), Decimal(number)
        if choice == "months":
            return "months", Decimal(3)
        return f"[{choice}]", values[choice]
    left, left_value = draw(expressions(depth - 1))
    right, right_value = draw(expressions(depth - 1))
    operator = draw(st.sampled_from("+-*/"))
    if left_value is None or right_value is None:
        result = None
    elif operator == "/":
        result = None if right_value == 0 else left_value / right_value
    else:
        result = {"+": left_value + right_value, "-": left_value - right_value, "*": left_value * right_value}[operator]
    return f"({left} {operator} {right})", result


@settings(max_examples=200, deadline=None)
@given(expressions())
def test_evaluation_matches_plain_decimal_arithmetic(case: tuple[str, Decimal | None]) -> None:
    text, expected = case
    if len(text) > 200:
        return
    value, _ = parse_formula(text, known_names=NAMES).evaluate(
        {"A": Decimal("7.5"), "B": Decimal("-2"), "C": Decimal(0)}, 3
    )
    if expected is None or abs(expected) >= Decimal("9999999999.995"):
        assert value is None
    else:
        assert value == expected.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=30), st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.decimals()))
def test_any_amount_is_parsed_or_refused(raw: object) -> None:
    try:
        value = parse_amount(raw)
    except AmountError as refusal:
        assert str(refusal)  # noqa: PT017 - every refusal says what was wrong
        return
    assert value == value.quantize(Decimal("0.01"))
    assert abs(value) <= Decimal("9999999999.99")
