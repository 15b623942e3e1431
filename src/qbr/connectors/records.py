"""The base of every typed vendor record (camelCase aliases, unknown fields ignored, timestamps always aware), and
how a vendor's names are compared with the names in settings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


def _assume_utc(moment: datetime) -> datetime:
    # Vendors document UTC; a timestamp without an offset is read as UTC rather than as local time.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# ISO strings and epoch seconds (NinjaOne sends floats) both parse to an aware datetime.
Timestamp = Annotated[datetime, AfterValidator(_assume_utc)]


def name_key(name: str) -> str:
    """A name as it is compared: trimmed and case-folded. Vendors keep names with trailing blanks ("Tímapottur ")
    and match them without regard to case, while settings are stored trimmed; both sides go through this."""
    return name.strip().casefold()


def is_named(name: str | None, names: Iterable[str]) -> bool:
    """Whether ``name`` is one of ``names`` once both are compared by :func:`name_key`."""
    return name is not None and name_key(name) in {name_key(n) for n in names}


class VendorRecord(BaseModel):
    """Tolerant by design: vendors add fields all the time; only the fields we use are declared."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)
