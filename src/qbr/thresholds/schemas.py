"""Request and response bodies for thresholds; fields are the column names of ``thresholds``."""

from __future__ import annotations

from qbr.core.schema import Number, Schema, Timestamp


class ThresholdPublic(Schema):
    id: int
    metric_name: str
    threshold_type: str
    threshold_value: Number
    organization_id: int | None
    updated_at: Timestamp
