"""One period's KPIs of one organization, each with its status against the thresholds that apply to it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.kpis.compute import explain_kpis
from qbr.metrics.models import KpiDefinition
from qbr.thresholds.grading import Status, effective_thresholds, grade


@dataclass(frozen=True)
class GradedKpi:
    kpi_name: str
    kpi_value: Decimal | None
    status: Status
    reason: str | None  # why kpi_value is None
    warning: Decimal | None
    critical: Decimal | None
    is_key: bool


def graded_kpis(session: Session, organization_id: int, period: str) -> list[GradedKpi]:
    """The KPIs of ``organization_id`` for ``period`` in catalog order, graded (organization's thresholds first)."""
    definitions = {d.kpi_name: d for d in session.scalars(select(KpiDefinition).order_by(KpiDefinition.sort_order))}
    thresholds = effective_thresholds(session, organization_id)
    graded = []
    for result in explain_kpis(session, organization_id, period):
        threshold = thresholds.get(result.kpi_name)
        warning, critical = (threshold.warning, threshold.critical) if threshold else (None, None)
        definition = definitions.get(result.kpi_name)
        direction = definition.direction if definition else None
        graded.append(
            GradedKpi(
                result.kpi_name,
                result.kpi_value,
                grade(result.kpi_value, warning, critical, direction),
                result.reason,
                warning,
                critical,
                bool(definition and definition.is_key),
            )
        )
    return graded
