"""Request and response bodies for the KPI catalog and SmartNumbers; fields are the column names."""

from __future__ import annotations

from qbr.core.schema import Schema, Timestamp


class KpiDefinitionPublic(Schema):
    id: int
    kpi_name: str
    formula: str
    unit: str
    direction: str | None
    description: str | None
    is_key: bool
    sort_order: int
    created_at: Timestamp
