"""Request and response bodies for the metric catalog and metric values; fields are the column names."""

from __future__ import annotations

from typing import Literal

from qbr.core.schema import InputSchema, LongText, Name50, Name100, Schema, Timestamp, optional

Unit = Literal["count", "hours", "days", "currency", "percent"]
Rollup = Literal["sum", "avg", "last"]
Direction = Literal["higher_is_better", "lower_is_better"]


class MetricDefinitionCreate(InputSchema):
    metric_name: Name100
    unit: Unit
    rollup: Rollup
    direction: Direction | None = None
    default_source: Name50 | None = None
    description: LongText | None = None


class MetricDefinitionUpdate(InputSchema):
    unit: Unit = optional()
    rollup: Rollup = optional()
    direction: Direction | None = None
    default_source: Name50 | None = None
    description: LongText | None = None


class MetricDefinitionPublic(Schema):
    id: int
    metric_name: str
    unit: str
    rollup: str
    direction: str | None
    default_source: str | None
    description: str | None
    created_at: Timestamp
