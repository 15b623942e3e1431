"""``/metrics/monthly`` (list, bulk upsert through the one ingest path) and ``/metrics/quarterly`` (list)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from qbr.api.deps import EditorDep, ListingDep, SessionDep
from qbr.api.filters import MonthFiltersDep, QuarterFiltersDep, equal_if_given
from qbr.api.listing import CSV_RESPONSE, ListEnvelope
from qbr.api.params import OrganizationIdQuery
from qbr.core.schema import Name50, Name100
from qbr.metrics.ingest import MetricInput
from qbr.metrics.models import MetricMonthly, MetricQuarterly
from qbr.metrics.schemas import (
    IngestSummary,
    MetricMonthlyPublic,
    MetricQuarterlyPublic,
    MetricsMonthlyUpsert,
    PeriodPair,
)
from qbr.metrics.scoped_ingest import ingest_as

router = APIRouter(prefix="/metrics", tags=["metrics"])

MetricNameQuery = Annotated[Name100 | None, Query(description="Only this metric.")]


@router.get("/monthly", response_model=ListEnvelope[MetricMonthlyPublic], responses=CSV_RESPONSE)
def list_monthly(
    listing: ListingDep,
    periods: MonthFiltersDep,
    organization_id: OrganizationIdQuery = None,
    metric_name: MetricNameQuery = None,
    source_system: Annotated[Name50 | None, Query(description="Only values from this source.")] = None,
) -> object:
    """Monthly values as stored, one row per source (a Manual row overrides the others of its metric)."""
    table = MetricMonthly
    query = (
        select(table)
        .where(
            listing.principal.organization_filter(table.organization_id), *periods.conditions(table.period, "monthly")
        )
        .order_by(table.organization_id, table.period, table.metric_name, table.source_system)
    )
    query = equal_if_given(query, organization_id=organization_id, metric_name=metric_name, source_system=source_system)
    return listing.page(query, MetricMonthlyPublic, "metrics-monthly")


@router.post("/monthly")
def upsert_monthly(body: MetricsMonthlyUpsert, session: SessionDep, principal: EditorDep) -> IngestSummary:
    """Insert or update monthly values as one all-or-nothing batch: every row is validated first and any problem
    refuses the whole batch, listing each bad row; quarterly rollups and KPIs of the changed months follow."""
    rows = [
        MetricInput(
            organization_id=item.organization_id,
            period=item.period,
            metric_name=item.metric_name,
            metric_value=item.metric_value,
            source_system=item.source_system,
            location=f"items[{index}]",
        )
        for index, item in enumerate(body.items)
    ]
    result = ingest_as(
        session, principal, rows, reopen=body.reopen, allow_new_metrics=body.allow_new_metrics, note=body.note
    )
    return IngestSummary(
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged,
        recomputed=[PeriodPair(organization_id=org, period=period) for org, period in result.recomputed],
        reopened=list(result.reopened),
    )


@router.get("/quarterly", response_model=ListEnvelope[MetricQuarterlyPublic], responses=CSV_RESPONSE)
def list_quarterly(
    listing: ListingDep,
    periods: QuarterFiltersDep,
    organization_id: OrganizationIdQuery = None,
    metric_name: MetricNameQuery = None,
) -> object:
    """Quarterly rollups of the monthly values (sum, average or last value, by each metric's rule)."""
    table = MetricQuarterly
    query = (
        select(table)
        .where(
            listing.principal.organization_filter(table.organization_id), *periods.conditions(table.period, "quarterly")
        )
        .order_by(table.organization_id, table.period, table.metric_name)
    )
    query = equal_if_given(query, organization_id=organization_id, metric_name=metric_name)
    return listing.page(query, MetricQuarterlyPublic, "metrics-quarterly")
