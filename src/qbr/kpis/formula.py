"""The SmartNumber formula language: parsed safely, validated against known names, evaluated with Decimals.

Grammar (reference/METRICS.md)::

    expression := term (("+" | "-") term)*
    term       := factor (("*" | "/") factor)*
    factor     := ("-" | "+") factor | number | "[" name "]" | "months" | "(" expression ")"

A hand-written parser, not ``eval`` and not Python's grammar: nothing outside this grammar can ever run, and a
syntax error names the exact column. A parsed formula is compiled once into closures, so evaluating it for
thousands of (organization, period) pairs costs a few Decimal operations each.
"""

from __future__ import annotations

import difflib
import graphlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from qbr.core.numbers import EXACT, round_cents, rounds_into_numeric_12_2
from qbr.errors import InvalidInput, Problem

FORMULA_ACCEPTED = (
    "[Metric or KPI name], numbers, + - * /, parentheses and months, "
    "e.g. [Reactive Hours] / [Endpoints Managed] / months"
)
MAX_FORMULA_LENGTH = 200  # calculation_method is VARCHAR(200) and records the formula with every value
# Parentheses and signs nest at most this deep. The parser (and the compiled closures) recurse once per level, so
# without a limit 197 "(" in 200 characters reach Python's recursion limit; real formulas nest two or three deep.
MAX_NESTING = 25

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?|\.\d+)|\[(?P<name>[^\[\]]*)\]|(?P<word>[A-Za-z_]\w*)|(?P<symbol>[-+*/()]))"
)

Values = Mapping[str, Decimal | None]
_Run = Callable[[Values, Decimal], Decimal]


class _Undefined(Exception):
    """Evaluation cannot give a number (division by zero); ``reason`` says why, for the dashboard."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class _Token:
    kind: str  # number | name | months | symbol | end
    text: str
    column: int  # 1-based, for error messages

    @property
    def shown(self) -> str:
        return f"[{self.text}]" if self.kind == "name" else self.text


@dataclass(frozen=True)
class Formula:
    """A validated formula. ``names`` are its [Name] references in order of first appearance."""

    text: str
    names: tuple[str, ...]
    _run: _Run = field(repr=False, compare=False)

    def evaluate(self, values: Values, months: int) -> tuple[Decimal | None, str | None]:
        """The value rounded half-up to cents, or None and the reason (missing input, division by zero, range)."""
        missing = [name for name in self.names if values.get(name) is None]
        if missing:
            return None, "no value for " + ", ".join(f"[{name}]" for name in missing)
        try:
            result = self._run(values, Decimal(months))
        except _Undefined as undefined:
            return None, undefined.reason
        if not rounds_into_numeric_12_2(result):
            return None, f"the result {result:.6g} is beyond ±9,999,999,999.99"
        return round_cents(result), None


def parse_formula(text: str, *, known_names: set[str] | frozenset[str]) -> Formula:
    """Parse and validate ``text``; InvalidInput names the column of a syntax error or every unknown name."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput.single("formula", "is empty", FORMULA_ACCEPTED)
    if len(cleaned) > MAX_FORMULA_LENGTH:
        raise InvalidInput.single(
            "formula", f"is {len(cleaned)} characters long", f"at most {MAX_FORMULA_LENGTH} characters"
        )
    parser = _Parser(cleaned)
    run, _ = parser.parse()
    names = tuple(dict.fromkeys(parser.names))
    unknown = [name for name in names if name not in known_names]
    if unknown:
        problems = [Problem("formula", f"unknown name [{name}]", _suggest(name, known_names)) for name in unknown]
        summary = str(problems[0]) if len(problems) == 1 else f"formula has {len(problems)} unknown names"
        raise InvalidInput(summary, problems)
    return Formula(cleaned, names, run)


def evaluation_order(dependencies: Mapping[str, Iterable[str]]) -> list[str]:
    """KPI names so that every KPI comes after the KPIs it uses; InvalidInput names a cycle if there is one.

    ``dependencies`` maps each KPI to the names in its formula; names that are not KPIs (metrics) are ignored.
    """
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for name, uses in dependencies.items():
        sorter.add(name, *(used for used in uses if used in dependencies))
    try:
        return list(sorter.static_order())
    except graphlib.CycleError as error:
        cycle = " → ".join(f"[{name}]" for name in reversed(error.args[1]))
        raise InvalidInput.single(
            "formula", f"KPIs use each other in a cycle: {cycle}", "formulas whose KPI references form no cycle"
        ) from None


def _suggest(name: str, known_names: Iterable[str]) -> str:
    known = sorted(known_names)
    by_lower = {candidate.lower(): candidate for candidate in known}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"[{by_lower[c]}]" for c in close) + "?"
    return "a metric or KPI name (see `qbr kpis list` and the metric catalog)"


class _Parser:
    """Recursive descent over the grammar above, building closures as it goes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = self._tokenize(text)
        self.position = 0
        self.depth = 0
        self.names: list[str] = []

    def parse(self) -> tuple[_Run, str]:
        run, source = self._expression()
        token = self._peek()
        if token.kind != "end":
            raise self._error(token, f"unexpected {token.shown!r}", "an operator (+ - * /) or the end of the formula")
        return run, source

    def _tokenize(self, text: str) -> list[_Token]:
        tokens: list[_Token] = []
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            match = _TOKEN.match(text, position)
            if match is None:
                column = position + len(text[position:]) - len(text[position:].lstrip()) + 1
                character = text[column - 1]
                if character == "[":
                    raise InvalidInput.single("formula", f"column {column}: '[' is never closed", "[Name]")
                raise InvalidInput.single("formula", f"column {column}: unexpected {character!r}", FORMULA_ACCEPTED)
            kind = match.lastgroup or "symbol"
            value = match.group(kind)
            # 1-based; a name's column is that of its opening bracket.
            column = match.start(kind) + (0 if kind == "name" else 1)
            if kind == "name":
                value = value.strip()
                if not value:
                    raise InvalidInput.single("formula", f"column {column}: empty name []", "[Name]")
            elif kind == "word":
                if value != "months":
                    raise InvalidInput.single(
                        "formula",
                        f"column {column}: unknown word {value!r}",
                        "months, or a name in brackets such as [" + value + "]",
                    )
                kind = "months"
            tokens.append(_Token(kind, value, column))
            position = match.end()
        tokens.append(_Token("end", "end of formula", len(text) + 1))
        return tokens

    def _peek(self) -> _Token:
        return self.tokens[self.position]

    def _take(self) -> _Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _error(self, token: _Token, message: str, accepted: str) -> InvalidInput:
        return InvalidInput.single("formula", f"column {token.column}: {message}", accepted)

    def _expression(self) -> tuple[_Run, str]:
        return self._left_associative(self._term, ("+", "-"))

    def _term(self) -> tuple[_Run, str]:
        return self._left_associative(self._factor, ("*", "/"))

    def _left_associative(
        self, operand: Callable[[], tuple[_Run, str]], operators: tuple[str, str]
    ) -> tuple[_Run, str]:
        run, source = operand()
        while self._peek().kind == "symbol" and self._peek().text in operators:
            operator = self._take().text
            right, right_source = operand()
            run, source = _binary(operator, run, right, right_source), f"{source} {operator} {right_source}"
        return run, source

    def _factor(self) -> tuple[_Run, str]:
        token = self._take()
        if token.kind == "symbol" and token.text in ("-", "+", "("):
            if self.depth >= MAX_NESTING:
                raise self._error(
                    token, f"{token.text!r} nests deeper than {MAX_NESTING} levels", f"at most {MAX_NESTING} levels"
                )
            self.depth += 1
            try:
                return self._nested_factor(token)
            finally:
                self.depth -= 1
        return self._simple_factor(token)

    def _nested_factor(self, token: _Token) -> tuple[_Run, str]:
        """A signed factor or a parenthesized expression: the two ways formulas nest."""
        if token.text in ("-", "+"):
            inner, inner_source = self._factor()
            if token.text == "+":
                return inner, inner_source
            return (lambda values, months: EXACT.minus(inner(values, months))), f"-{inner_source}"
        inner, inner_source = self._expression()
        closing = self._take()
        if closing.text != ")":
            raise self._error(closing, f"expected ')' but found {closing.shown!r}", "a closing parenthesis")
        return inner, f"({inner_source})"

    def _simple_factor(self, token: _Token) -> tuple[_Run, str]:
        if token.kind == "number":
            constant = Decimal(token.text)
            return (lambda _values, _months: constant), token.text
        if token.kind == "name":
            name = token.text
            self.names.append(name)
            return (lambda values, _months: values[name]), f"[{name}]"
        if token.kind == "months":
            return (lambda _values, months: months), "months"
        raise self._error(token, f"expected a value but found {token.shown!r}", FORMULA_ACCEPTED)


def _binary(operator: str, left: _Run, right: _Run, right_source: str) -> _Run:
    if operator == "+":
        return lambda values, months: EXACT.add(left(values, months), right(values, months))
    if operator == "-":
        return lambda values, months: EXACT.subtract(left(values, months), right(values, months))
    if operator == "*":
        return lambda values, months: EXACT.multiply(left(values, months), right(values, months))

    def divide(values: Values, months: Decimal) -> Decimal:
        divisor = right(values, months)
        if divisor == 0:
            raise _Undefined(f"division by zero: {right_source} is 0")
        return EXACT.divide(left(values, months), divisor)

    return divide
