"""Request and response bodies for thresholds; fields are the column names of ``thresholds``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from qbr.core.schema import MAX_ID, InputSchema, JsonAmount, Name100, Number, Schema, Timestamp


class ThresholdPublic(Schema):
    id: int
    metric_name: str
    threshold_type: str
    threshold_value: Number
    organization_id: int | None
    updated_at: Timestamp


class ThresholdWrite(InputSchema):
    """One threshold to set; an organization's own when ``organization_id`` is given, else the default."""

    metric_name: Name100 = Field(description="A metric or KPI with a direction.")
    threshold_type: Literal["warning", "critical"]
    threshold_value: JsonAmount
    organization_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None


class ThresholdsPut(InputSchema):
    items: Annotated[list[ThresholdWrite], Field(min_length=1, max_length=1000)]


class ThresholdsWritten(Schema):
    items: list[ThresholdPublic]
