"""A parser and evaluator for ConnectWise ``conditions``, so the fake really filters the way the server does.

Grammar (keywords in any case): ``expr := term (or term)*``; ``term := factor (and factor)*``;
``factor := not factor | ( expr ) | field op value | field [not] in (value, …) | field [not] contains|like value``;
values are "strings" (backslash escapes), [dates], numbers, true, false, null. String comparisons ignore case, as
ConnectWise's SQL Server collation does. A field ``a/b`` is nested; ``dateEntered`` and ``lastUpdated`` fall back to
``_info``, where the records keep them.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

Predicate = Callable[[dict[str, Any]], bool]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<lparen>\() | (?P<rparen>\)) | (?P<comma>,) |
        (?P<string>"(?:\\.|[^"\\])*") |
        (?P<date>\[[^\]]*\]) |
        (?P<op><=|>=|!=|<>|=|<|>) |
        (?P<number>-?\d+(?:\.\d+)?(?![\w/])) |
        (?P<word>[A-Za-z_][\w/.]*)
    )""",
    re.VERBOSE,
)


class ConditionError(ValueError):
    pass


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


@dataclass(frozen=True)
class DateValue:
    moment: datetime


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ConditionError(f"cannot read the conditions at character {position}: {text[position:]!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append(Token(kind, match.group(kind)))
        position = match.end()
    return tokens


def parse_date(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ConditionError(f"date {text!r} has no time zone")
    return moment


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, kind: str | None = None, word: str | None = None) -> Token:
        token = self.peek()
        if token is None:
            raise ConditionError("the conditions end too early")
        if kind is not None and token.kind != kind:
            raise ConditionError(f"expected {kind}, found {token.text!r}")
        if word is not None and token.text.lower() != word:
            raise ConditionError(f"expected {word!r}, found {token.text!r}")
        self.index += 1
        return token

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text.lower() in words

    def expression(self) -> Predicate:
        terms = [self.term()]
        while self.at_word("or"):
            self.take()
            terms.append(self.term())
        return terms[0] if len(terms) == 1 else (lambda r: any(t(r) for t in terms))

    def term(self) -> Predicate:
        factors = [self.factor()]
        while self.at_word("and"):
            self.take()
            factors.append(self.factor())
        return factors[0] if len(factors) == 1 else (lambda r: all(f(r) for f in factors))

    def factor(self) -> Predicate:
        if self.at_word("not"):
            self.take()
            inner = self.factor()
            return lambda r: not inner(r)
        token = self.peek()
        if token is not None and token.kind == "lparen":
            self.take()
            inner = self.expression()
            self.take("rparen")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        field = self.take("word").text
        negate = False
        if self.at_word("not"):
            self.take()
            negate = True
        if self.at_word("in"):
            self.take()
            self.take("lparen")
            values = [self.value()]
            while (token := self.peek()) is not None and token.kind == "comma":
                self.take()
                values.append(self.value())
            self.take("rparen")
            return lambda r: negate != any(_equal(lookup(r, field), v) for v in values)
        if self.at_word("contains", "like"):
            operator = self.take().text.lower()
            pattern = self.value()
            if not isinstance(pattern, str):
                raise ConditionError(f"{operator} needs a string")
            return lambda r: negate != _matches(lookup(r, field), operator, pattern)
        if negate:
            raise ConditionError(f"'not' after {field} must be followed by in, contains or like")
        operator = self.take("op").text
        expected = self.value()
        return lambda r: _compare(lookup(r, field), operator, expected)

    def value(self) -> Any:
        token = self.take()
        if token.kind == "string":
            return re.sub(r"\\(.)", r"\1", token.text[1:-1])
        if token.kind == "date":
            return DateValue(parse_date(token.text[1:-1]))
        if token.kind == "number":
            return float(token.text) if "." in token.text else int(token.text)
        if token.kind == "word" and token.text.lower() in ("true", "false"):
            return token.text.lower() == "true"
        if token.kind == "word" and token.text.lower() == "null":
            return None
        raise ConditionError(f"expected a value, found {token.text!r}")


def parse_conditions(text: str | None) -> Predicate:
    if text is None or not text.strip():
        return lambda _record: True
    parser = _Parser(tokenize(text))
    predicate = parser.expression()
    if parser.peek() is not None:
        raise ConditionError(f"unexpected {parser.peek().text!r}")  # type: ignore[union-attr]
    return predicate


def lookup(record: dict[str, Any], field: str) -> Any:
    value: Any = record
    for part in field.split("/"):
        if not isinstance(value, dict):
            return None
        if part in value:
            value = value[part]
        elif value is record and isinstance(record.get("_info"), dict) and part in record["_info"]:
            value = record["_info"][part]
        else:
            return None
    return value


def _equal(actual: Any, expected: Any) -> bool:
    return _compare(actual, "=", expected)


def _compare(actual: Any, operator: str, expected: Any) -> bool:
    if expected is None or actual is None:
        same = actual is None and expected is None
        if operator == "=":
            return same
        if operator in ("!=", "<>"):
            return not same
        return False
    if isinstance(expected, DateValue):
        left: Any = parse_date(actual) if isinstance(actual, str) else None
        right: Any = expected.moment
        if left is None:
            return False
    elif isinstance(expected, bool):
        left, right = bool(actual), expected
    elif isinstance(expected, int | float):
        try:
            left, right = float(actual), float(expected)
        except (TypeError, ValueError):
            return False
    else:
        # As SQL Server compares (ConnectWise's database): without regard to case, and with trailing blanks
        # ignored, so that "Tímapottur " = "Tímapottur".
        left, right = str(actual).rstrip(" ").casefold(), str(expected).rstrip(" ").casefold()
    match operator:
        case "=":
            return bool(left == right)
        case "!=" | "<>":
            return bool(left != right)
        case "<":
            return bool(left < right)
        case "<=":
            return bool(left <= right)
        case ">":
            return bool(left > right)
        case ">=":
            return bool(left >= right)
    raise ConditionError(f"unknown operator {operator}")


def _matches(actual: Any, operator: str, pattern: str) -> bool:
    if actual is None:
        return False
    text = str(actual).casefold()
    if operator == "contains":
        return pattern.casefold() in text
    return fnmatch.fnmatchcase(text, pattern.casefold().replace("%", "*"))
