"""Request and response bodies for the metric catalog and metric values; fields are the column names."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from qbr.core.schema import (
    MAX_ID,
    InputSchema,
    JsonAmount,
    LongText,
    Name50,
    Name100,
    Number,
    Schema,
    Timestamp,
    optional,
)
from qbr.periods.calendar import MONTH_PATTERN, PERIOD_MAX_LENGTH
from qbr.sources import KNOWN_SOURCES, MANUAL

MAX_BATCH = 10_000  # rows per request; larger loads go through `qbr import metrics`

Unit = Literal["count", "hours", "days", "currency", "percent"]
Rollup = Literal["sum", "avg", "last"]
Direction = Literal["higher_is_better", "lower_is_better"]
Audience = Literal["client", "internal"]
AUDIENCE_HELP = "client: shown in the client edition of pages and reports; internal: only to the MSP's staff."


class MetricDefinitionCreate(InputSchema):
    metric_name: Name100
    unit: Unit
    rollup: Rollup
    direction: Direction | None = None
    default_source: Name50 | None = None
    description: LongText | None = None
    audience: Audience = Field(default="internal", description=AUDIENCE_HELP)


class MetricDefinitionUpdate(InputSchema):
    unit: Unit = optional()
    rollup: Rollup = optional()
    direction: Direction | None = None
    default_source: Name50 | None = None
    description: LongText | None = None
    audience: Audience = optional()


class MetricDefinitionPublic(Schema):
    id: int
    metric_name: str
    unit: str
    rollup: str
    direction: str | None
    default_source: str | None
    description: str | None
    audience: Audience
    created_at: Timestamp


class MetricMonthlyPublic(Schema):
    id: int
    period: str
    organization_id: int
    metric_name: str
    metric_value: Number
    source_system: str
    created_at: Timestamp


class MetricQuarterlyPublic(Schema):
    id: int
    period: str
    organization_id: int
    metric_name: str
    metric_value: Number
    created_at: Timestamp


class MetricMonthlyWrite(InputSchema):
    """One monthly value to insert or update (the key is organization, period, metric and source)."""

    period: Annotated[str, StringConstraints(pattern=MONTH_PATTERN, max_length=PERIOD_MAX_LENGTH)] = Field(
        examples=["2025-03"]
    )
    organization_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    metric_name: Name100
    metric_value: JsonAmount
    source_system: Name50 = Field(
        description=f"{', '.join(KNOWN_SOURCES[:-1])}, {MANUAL} (overrides collected values), or another name."
    )


class MetricsMonthlyUpsert(InputSchema):
    items: Annotated[list[MetricMonthlyWrite], Field(min_length=1, max_length=MAX_BATCH)]
    reopen: bool = Field(
        default=False,
        description="Change figures organizations already have in closed periods (recorded; the periods stay "
        "closed); needs an unscoped editor. An organization's first values in a closed period need no reopen.",
    )
    allow_new_metrics: bool = Field(
        default=False, description="Add unknown metric names to the catalog; needs an unscoped admin."
    )
    note: LongText | None = Field(default=None, description="Recorded with any Manual value, as the reason.")


class PeriodPair(Schema):
    organization_id: int
    period: str


class IngestSummary(Schema):
    inserted: int
    updated: int
    unchanged: int
    recomputed: list[PeriodPair] = Field(description="Organization and period pairs whose rollups and KPIs changed.")
    reopened: list[str] = Field(description="Closed periods reopened by this write.")


class ManualValueRemoved(Schema):
    previous_value: Number | None = Field(description="The effective value before (the Manual one).")
    metric_value: Number | None = Field(description="The effective value now (a collected one, if any).")
