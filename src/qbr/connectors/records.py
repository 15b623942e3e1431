"""The base of every typed vendor record: camelCase aliases, unknown fields ignored, timestamps always aware."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


def _assume_utc(moment: datetime) -> datetime:
    # Vendors document UTC; a timestamp without an offset is read as UTC rather than as local time.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# ISO strings and epoch seconds (NinjaOne sends floats) both parse to an aware datetime.
Timestamp = Annotated[datetime, AfterValidator(_assume_utc)]


class VendorRecord(BaseModel):
    """Tolerant by design: vendors add fields all the time; only the fields we use are declared."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)
