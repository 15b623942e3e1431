"""Request and response bodies of KPI reference ranges; fields are the column names of ``kpi_reference_ranges``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from qbr.core.schema import InputSchema, JsonAmount, Number, Schema, StorableText, Timestamp
from qbr.metrics.models import RANGE_NOTE_LENGTH, RANGE_PUBLISHER_LENGTH, RANGE_TITLE_LENGTH, RANGE_URL_LENGTH
from qbr.metrics.schemas import Direction


class KpiReferenceRangePublic(Schema):
    id: int
    kpi_name: str
    low: Number | None
    high: Number | None
    direction: str
    source_publisher: str
    source_title: str
    source_url: str | None
    source_year: int | None
    note: str | None
    updated_at: Timestamp


class KpiReferenceRangeWrite(InputSchema):
    """A whole range: a PUT replaces every field (an omitted optional field becomes empty)."""

    low: JsonAmount | None = Field(default=None, description="The low end, in the KPI's unit; null: open.")
    high: JsonAmount | None = Field(default=None, description="The high end, in the KPI's unit; null: open.")
    direction: Direction | None = Field(default=None, description="Which side is better; null: the KPI's own.")
    source_publisher: Annotated[str, StringConstraints(max_length=RANGE_PUBLISHER_LENGTH), StorableText] = Field(
        description="Who published the figure."
    )
    source_title: Annotated[str, StringConstraints(max_length=RANGE_TITLE_LENGTH), StorableText] = Field(
        description="The title of the publication."
    )
    source_url: Annotated[str, StringConstraints(max_length=RANGE_URL_LENGTH), StorableText] | None = Field(
        default=None, description="Where it is published, when it is public."
    )
    source_year: int | None = Field(default=None, description="The year of publication; null when undated.")
    note: Annotated[str, StringConstraints(max_length=RANGE_NOTE_LENGTH), StorableText] | None = Field(
        default=None, description="What the figure is, in a sentence or two."
    )
