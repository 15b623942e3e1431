"""Request and response bodies for the KPI catalog and SmartNumbers; fields are the column names."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from qbr.core.schema import MAX_ID, InputSchema, LongText, Name100, Name200, Number, Schema, Timestamp, optional
from qbr.metrics.schemas import AUDIENCE_HELP, Audience, Direction, PeriodPair, Unit
from qbr.periods.calendar import PERIOD_MAX_LENGTH, PERIOD_PATTERN


class KpiDefinitionPublic(Schema):
    id: int
    kpi_name: str
    formula: str
    unit: str
    direction: str | None
    description: str | None
    audience: Audience
    is_key: bool
    sort_order: int
    created_at: Timestamp


class SmartNumberPublic(Schema):
    id: int
    period: str
    kpi_name: str
    kpi_value: Number | None
    calculation_method: str
    organization_id: int
    created_at: Timestamp


class RecomputeRequest(InputSchema):
    organization_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = Field(
        default=None, description="Only this organization (default: every one the caller may see)."
    )
    period: Annotated[str, StringConstraints(pattern=PERIOD_PATTERN, max_length=PERIOD_MAX_LENGTH)] | None = Field(
        default=None, description="Only this month, or this quarter and its months (default: every period)."
    )


class RecomputeSummary(Schema):
    recomputed: list[PeriodPair]


class KpiDefinitionCreate(InputSchema):
    kpi_name: Name100
    formula: Name200 = Field(
        description="Over [Metric or KPI names], numbers, + - * /, parentheses and months, "
        "e.g. [Reactive Hours] / [Endpoints Managed] / months. Validated before it is saved."
    )
    unit: Unit
    direction: Direction | None = None
    description: LongText | None = None
    audience: Audience = Field(default="internal", description=AUDIENCE_HELP)
    is_key: bool = False


class KpiDefinitionUpdate(InputSchema):
    formula: Name200 = optional()
    unit: Unit = optional()
    direction: Direction | None = None
    description: LongText | None = None
    audience: Audience = optional()
    is_key: bool = optional()
