"""Pydantic building blocks every API schema uses: ORM-readable models, numbers as JSON numbers, UTC times."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints, WithJsonSchema

from qbr.core.text import NAME_ACCEPTED, hidden_character_problem

MAX_ID = 2_147_483_647  # the largest SERIAL / INTEGER value


class Schema(BaseModel):
    """Base of every response schema: readable from ORM rows."""

    model_config = ConfigDict(from_attributes=True)


class InputSchema(BaseModel):
    """Base of every request body: unknown fields are refused, so a misspelt field is never silently ignored."""

    # Nothing is stripped before validation, so what the OpenAPI document says about lengths holds exactly;
    # names are trimmed after they are validated (see ``_name``).
    model_config = ConfigDict(extra="forbid")

    def changes(self) -> dict[str, Any]:
        """The fields the client sent (for PATCH: what to change; an explicit null clears a nullable field)."""
        return self.model_dump(exclude_unset=True)


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional() -> Any:
    """A PATCH field that may be left out but not set to null (its column is NOT NULL)."""
    return Field(default=None, json_schema_extra=_drop_default)


def _as_utc(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; every stored timestamp is UTC, so say so in the output.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _as_number(value: Decimal) -> float | int:
    # NUMERIC(12,2) has at most 12 significant digits, which a double represents exactly as decimal text.
    return int(value) if value == value.to_integral_value() else float(value)


# A NUMERIC value: Decimal in Python, a JSON number on the wire.
Number = Annotated[Decimal, PlainSerializer(_as_number, return_type=float, when_used="json")]
Timestamp = Annotated[datetime, AfterValidator(_as_utc)]
# An amount a client sends: checked by the service (finite, within NUMERIC(12,2), rounded half-up to cents) and
# documented as a JSON number.
JsonAmount = Annotated[Decimal, WithJsonSchema({"type": "number", "examples": [1234.56]})]


def _storable_text(value: str) -> str:
    # PostgreSQL refuses NUL characters and lone surrogates cannot be encoded: refuse them up front, clearly.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise ValueError("must be valid Unicode text")
    return value


def _visible_text(value: str) -> str:
    # The one text rule for names (qbr.core.text): nothing that drives a terminal or hides in plain sight.
    problem = hidden_character_problem(value)
    if problem is not None:
        raise ValueError(f"{problem}; a name may contain {NAME_ACCEPTED}")
    return value


StorableText = AfterValidator(_storable_text)
VisibleText = AfterValidator(_visible_text)
# Said in the OpenAPI document too: no NUL character, and a name has something besides spaces.
_NO_NUL = r"^[^\x00]*$"
_NAME = r"^[^\x00]*[^\x00\s][^\x00]*$"


def _name(max_length: int) -> StringConstraints:
    return StringConstraints(min_length=1, max_length=max_length, pattern=_NAME)


_Trimmed = AfterValidator(str.strip)
# Names as the columns hold them (VARCHAR(50) / (100) / (200)), and free text such as descriptions.
Name50 = Annotated[str, _name(50), StorableText, VisibleText, _Trimmed]
Name100 = Annotated[str, _name(100), StorableText, VisibleText, _Trimmed]
Name200 = Annotated[str, _name(200), StorableText, VisibleText, _Trimmed]
LongText = Annotated[str, StringConstraints(max_length=10_000, pattern=_NO_NUL), StorableText]
