"""The industry's reference ranges on the MSP's own SmartNumbers: each KPI with a range gets it, with where this
period's figure sits. A client organization's view is left as it is: the ranges judge the MSP's business."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qbr.dashboard.schemas import DashboardKpi, DashboardReferenceRange, DashboardView
from qbr.kpis.reference_ranges import position_in, reference_ranges_by_kpi, verdict_of
from qbr.metrics.models import KpiReferenceRange


def with_reference_ranges(session: Session, view: DashboardView) -> DashboardView:
    """``view`` with ``reference_range`` on each KPI that has one, when ``view`` is the MSP's own organization."""
    if not view.organization.is_msp:
        return view
    ranges = reference_ranges_by_kpi(session)
    if not ranges:
        return view
    kpis = [_with_range(kpi, ranges.get(kpi.kpi_name)) for kpi in view.kpis]
    return view.model_copy(update={"kpis": kpis})


def _with_range(kpi: DashboardKpi, found: KpiReferenceRange | None) -> DashboardKpi:
    if found is None:
        return kpi
    position = position_in(kpi.kpi_value, found.low, found.high) if kpi.kpi_value is not None else None
    item = DashboardReferenceRange(
        low=found.low,
        high=found.high,
        direction=found.direction,
        position=position,
        verdict=verdict_of(position, found.direction) if position else None,
        source_publisher=found.source_publisher,
        source_title=found.source_title,
        source_url=found.source_url,
        source_year=found.source_year,
        note=found.note,
    )
    return kpi.model_copy(update={"reference_range": item})
