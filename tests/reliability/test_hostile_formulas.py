"""Property-based fuzzing of the KPI formula parser: any text is parsed or refused with the column and what is
accepted, never anything else; every formula the grammar allows evaluates exactly as its expression tree says."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qbr.core.numbers import EXACT, round_cents, rounds_into_numeric_12_2
from qbr.errors import InvalidInput
from qbr.kpis.formula import MAX_FORMULA_LENGTH, MAX_NESTING, parse_formula

FUZZ = settings(max_examples=400, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
NAMES = frozenset({"Reactive Hours", "Endpoints Managed", "Net Profit", "Robert'); DROP TABLE smartnumbers;--"})
# The formula alphabet and its near misses: what someone typing (or attacking) a formula would send.
PIECES = [
    "[Reactive Hours]",
    "[Endpoints Managed]",
    "[Net Profit]",
    "[Robert'); DROP TABLE smartnumbers;--]",
    "[Unknown]",
    "[",
    "]",
    "[]",
    "months",
    "month",
    "(",
    ")",
    "+",
    "-",
    "*",
    "/",
    "**",
    "%",
    "0",
    "1",
    "2.5",
    ".5",
    "1e308",
    "1e-400",
    "NaN",
    "Infinity",
    "9" * 60,
    " ",
    "__import__('os')",
    "eval",
    ";",
    "\x00",
    "é",
]


def assert_clear_refusal(refusal: InvalidInput) -> None:
    assert refusal.problems
    for problem in refusal.problems:
        assert problem.location == "formula"
        assert problem.message.strip()
        assert problem.accepted


@FUZZ
@given(text=st.text(max_size=MAX_FORMULA_LENGTH + 20))
def test_any_text_is_parsed_or_refused_clearly(text: str) -> None:
    try:
        parse_formula(text, known_names=NAMES)
    except InvalidInput as refusal:
        assert_clear_refusal(refusal)


@FUZZ
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=60))
def test_near_formulas_are_parsed_or_refused_with_the_column(pieces: list[str]) -> None:
    text = "".join(pieces)
    try:
        formula = parse_formula(text, known_names=NAMES)
    except InvalidInput as refusal:
        assert_clear_refusal(refusal)
        return
    value, reason = formula.evaluate(dict.fromkeys(NAMES, Decimal("3.5")), 3)
    assert (value is None) != (reason is None)
    assert value is None or rounds_into_numeric_12_2(value)


def test_nesting_parses_up_to_its_limit_and_is_refused_clearly_beyond() -> None:
    formula = parse_formula("(" * MAX_NESTING + "1" + ")" * MAX_NESTING, known_names=NAMES)
    assert formula.evaluate({}, 1) == (Decimal("1.00"), None)
    negated = parse_formula("-" * MAX_NESTING + "1", known_names=NAMES)
    assert negated.evaluate({}, 1) == (Decimal("-1.00"), None)
    depth = (MAX_FORMULA_LENGTH - 1) // 2
    for deep in ("(" * depth + "1" + ")" * depth, "-" * (MAX_FORMULA_LENGTH - 1) + "1"):
        with pytest.raises(InvalidInput, match=f"nests deeper than {MAX_NESTING} levels"):
            parse_formula(deep, known_names=NAMES)


# --- formulas built from an expression tree evaluate exactly as the tree says ------------------------------------


@dataclass(frozen=True)
class Node:
    text: str
    value: Decimal | None  # None: undefined (division by zero)


VALUES = {"Reactive Hours": Decimal("41.25"), "Endpoints Managed": Decimal("0"), "Net Profit": Decimal("-1234.5")}


def leaves() -> st.SearchStrategy[Node]:
    numbers = st.decimals(min_value=0, max_value=10**12, places=2).map(lambda d: Node(str(d), d))
    names = st.sampled_from(sorted(VALUES)).map(lambda n: Node(f"[{n}]", VALUES[n]))
    return st.one_of(numbers, names, st.just(Node("months", Decimal(3))))


def combine(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    def apply(operator: str, left: Node, right: Node) -> Node:
        text = f"({left.text} {operator} {right.text})"
        if left.value is None or right.value is None:
            return Node(text, None)
        if operator == "/":
            return Node(text, None if right.value == 0 else EXACT.divide(left.value, right.value))
        operation = {"+": EXACT.add, "-": EXACT.subtract, "*": EXACT.multiply}[operator]
        return Node(text, operation(left.value, right.value))

    def negate(inner: Node) -> Node:
        return Node(f"-{inner.text}", None if inner.value is None else EXACT.minus(inner.value))

    return st.one_of(
        st.builds(apply, st.sampled_from("+-*/"), children, children),
        st.builds(negate, children),
    )


@FUZZ
@given(tree=st.recursive(leaves(), combine, max_leaves=12).filter(lambda n: len(n.text) <= MAX_FORMULA_LENGTH))
def test_grammar_formulas_evaluate_exactly(tree: Node) -> None:
    value, reason = parse_formula(tree.text, known_names=NAMES).evaluate(VALUES, 3)
    if tree.value is None:
        assert value is None
        assert reason is not None
        assert "division by zero" in reason
    elif not rounds_into_numeric_12_2(tree.value):
        assert value is None
        assert reason is not None
        assert "beyond" in reason
    else:
        assert reason is None
        assert value == round_cents(tree.value)
