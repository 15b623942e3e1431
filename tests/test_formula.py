"""The SmartNumber formula language: what it accepts, what it refuses and how, and exact Decimal results."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qbr.catalog import DEFAULT_KPIS, DEFAULT_METRICS
from qbr.errors import InvalidInput
from qbr.kpis.formula import evaluation_order, parse_formula

NAMES = {"A", "B", "Reactive Hours", "Endpoints Managed"}


def value(text: str, months: int = 1, **values: str) -> Decimal | None:
    result, _ = parse_formula(text, known_names=NAMES).evaluate({k: Decimal(v) for k, v in values.items()}, months)
    return result


def test_precedence_parentheses_and_unary_minus() -> None:
    assert value("[A] + [B] * 2", A="1", B="3") == Decimal("7.00")
    assert value("([A] + [B]) * 2", A="1", B="3") == Decimal("8.00")
    assert value("[A] - [B] - 1", A="10", B="3") == Decimal("6.00")  # left-associative
    assert value("[A] / [B] / 2", A="12", B="3") == Decimal("2.00")
    assert value("-[A] + +[B]", A="1", B="3") == Decimal("2.00")
    assert value("--[A]", A="4") == Decimal("4.00")
    assert value(".5 * [A] + 1.25", A="2") == Decimal("2.25")


def test_months_variable() -> None:
    assert value("[Reactive Hours] / [Endpoints Managed] / months", 3, **{}) is None
    formula = parse_formula("[Reactive Hours] / [Endpoints Managed] / months", known_names=NAMES)
    result, reason = formula.evaluate({"Reactive Hours": Decimal("90"), "Endpoints Managed": Decimal("100")}, 3)
    assert (result, reason) == (Decimal("0.30"), None)


def test_result_is_rounded_half_up_at_the_end_only() -> None:
    assert value("[A] / 8", A="1") == Decimal("0.13")  # 0.125 → 0.13 (half-up, not banker's 0.12)
    assert value("[A] / 8", A="-1") == Decimal("-0.13")  # ties go away from zero
    assert value("[A] / 3 * 3", A="1") == Decimal("1.00")  # no intermediate rounding


def test_names_in_order_of_first_use() -> None:
    formula = parse_formula("[B] + [A] * [B]", known_names=NAMES)
    assert formula.names == ("B", "A")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "is empty"),
        ("[A] +", "column 6: expected a value"),
        ("[A] * (2", "column 9: expected ')'"),
        ("[A] ^ 2", "column 5: unexpected '^'"),
        ("[A] [B]", "column 5: unexpected '[B]'"),
        ("__import__('os')", "unknown word '__import__'"),
        ("[A", "'[' is never closed"),
        ("[]", "empty name"),
        ("month", "unknown word 'month'"),
        ("[A] + [Reactive Hour]", "unknown name [Reactive Hour]"),
        ("[A] " + "+ 1 " * 60, "at most 200 characters"),
    ],
)
def test_refusals_say_where_and_what_is_accepted(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_formula(text, known_names=NAMES)
    assert fragment in str(caught.value)
    assert "accepted" in str(caught.value)


def test_unknown_name_suggests_the_close_one() -> None:
    with pytest.raises(InvalidInput, match=r"did you mean \[Reactive Hours\]"):
        parse_formula("[reactive hour] / months", known_names=NAMES)


def test_every_unknown_name_is_listed() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_formula("[X] + [Y]", known_names=NAMES)
    assert [p.message for p in caught.value.problems] == ["unknown name [X]", "unknown name [Y]"]


def test_missing_input_and_division_by_zero_give_reasons() -> None:
    formula = parse_formula("[A] / ([B] - 2)", known_names=NAMES)
    assert formula.evaluate({"A": Decimal(1)}, 1) == (None, "no value for [B]")
    assert formula.evaluate({"A": Decimal(1), "B": None}, 1) == (None, "no value for [B]")
    assert formula.evaluate({"A": Decimal(1), "B": Decimal(2)}, 1) == (None, "division by zero: ([B] - 2) is 0")
    assert formula.evaluate({"A": Decimal(0), "B": Decimal(2)}, 1)[0] is None  # 0/0 too


def test_result_beyond_numeric_12_2_is_null_with_reason() -> None:
    formula = parse_formula("[A] * [B]", known_names=NAMES)
    result, reason = formula.evaluate({"A": Decimal("9999999999.99"), "B": Decimal("10")}, 1)
    assert result is None
    assert "beyond" in str(reason)
    edge = formula.evaluate({"A": Decimal("9999999999.994"), "B": Decimal("1")}, 1)
    assert edge == (Decimal("9999999999.99"), None)


def test_evaluation_order_and_cycles() -> None:
    order = evaluation_order({"Net": ["Revenue", "Costs"], "Revenue": ["MRR"], "Costs": [], "Margin": ["Net"]})
    assert order.index("Revenue") < order.index("Net") < order.index("Margin")
    with pytest.raises(InvalidInput, match=r"cycle: \[.*\] → \[.*\] → \[.*\]"):
        evaluation_order({"X": ["Y"], "Y": ["X"]})
    with pytest.raises(InvalidInput, match="cycle"):
        evaluation_order({"X": ["X"]})


def test_every_default_kpi_parses() -> None:
    known = {m.metric_name for m in DEFAULT_METRICS} | {k.kpi_name for k in DEFAULT_KPIS}
    formulas = {k.kpi_name: parse_formula(k.formula, known_names=known) for k in DEFAULT_KPIS}
    order = evaluation_order({name: f.names for name, f in formulas.items()})
    assert order.index("Total Revenue") < order.index("Net Profit") < order.index("Profit Margin")


@pytest.mark.parametrize("text", ["(" * 197 + "1" + ")" * 2, "-" * 199 + "1", "(-" * 99 + "1"])
def test_nesting_is_limited_with_a_clear_error(text: str) -> None:
    with pytest.raises(InvalidInput, match="nests deeper than 25 levels"):
        parse_formula(text, known_names=NAMES)


def test_nesting_up_to_the_limit_evaluates() -> None:
    assert value("(" * 25 + "1" + ")" * 25) == Decimal("1.00")
    assert value("-" * 25 + "2") == Decimal("-2.00")
