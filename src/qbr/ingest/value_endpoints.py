"""``/metrics/monthly`` (list, bulk upsert through the one ingest path) and ``/metrics/quarterly`` (list)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from qbr.api.deps import EditorDep, ListingDep, SessionDep
from qbr.api.filters import equal_if_given
from qbr.api.listing import CSV_RESPONSE, ListEnvelope
from qbr.api.params import IdPath, OrganizationIdQuery
from qbr.core.schema import LongText, Name50, Name100
from qbr.errors import Conflict, NotFound
from qbr.ingest.manual import set_manual_value
from qbr.ingest.scoped import ingest_as
from qbr.ingest.validation import MetricInput
from qbr.metrics.audience import client_names_only, principal_edition
from qbr.metrics.models import MetricMonthly, MetricQuarterly
from qbr.metrics.schemas import (
    IngestSummary,
    ManualValueRemoved,
    MetricMonthlyPublic,
    MetricQuarterlyPublic,
    MetricsMonthlyUpsert,
    PeriodPair,
)
from qbr.periods.filters import MonthFiltersDep, QuarterFiltersDep
from qbr.sources import MANUAL

router = APIRouter(prefix="/metrics", tags=["metrics"])

MetricNameQuery = Annotated[Name100 | None, Query(description="Only this metric.")]


@router.get(
    "/monthly", response_model=ListEnvelope[MetricMonthlyPublic], responses=CSV_RESPONSE, summary="List monthly values"
)
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
            listing.principal.organization_filter(table.organization_id),
            client_names_only(principal_edition(listing.session, listing.principal), table.metric_name),
            *periods.conditions(table.period, "monthly"),
        )
        .order_by(table.organization_id, table.period, table.metric_name, table.source_system)
    )
    query = equal_if_given(query, organization_id=organization_id, metric_name=metric_name, source_system=source_system)
    return listing.page(query, MetricMonthlyPublic, "metrics-monthly")


@router.post("/monthly", summary="Insert or update monthly values (all or nothing)")
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


@router.delete("/monthly/{value_id}", summary="Remove a manual value")
def remove_manual_value(
    value_id: IdPath,
    session: SessionDep,
    principal: EditorDep,
    note: Annotated[LongText | None, Query(description="Why, recorded with the correction.")] = None,
) -> ManualValueRemoved:
    """Remove a Manual value (a correction), so the collected value shows again; the removal is recorded.
    Collected values are not removed: correct them with a Manual value instead."""
    row = session.get(MetricMonthly, value_id)
    if row is None or not principal.can_see(row.organization_id):
        raise NotFound(f"no monthly value with id {value_id}")
    if row.source_system != MANUAL:
        raise Conflict(
            f"value {value_id} was collected from {row.source_system}; only Manual values can be removed "
            "(correct a collected value by posting a Manual one)"
        )
    change = set_manual_value(
        session, row.organization_id, row.period, row.metric_name, None, note=note, changed_by=principal.describe()
    )
    return ManualValueRemoved(previous_value=change.previous_value, metric_value=change.new_value)


@router.get(
    "/quarterly",
    response_model=ListEnvelope[MetricQuarterlyPublic],
    responses=CSV_RESPONSE,
    summary="List quarterly rollups",
)
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
            listing.principal.organization_filter(table.organization_id),
            client_names_only(principal_edition(listing.session, listing.principal), table.metric_name),
            *periods.conditions(table.period, "quarterly"),
        )
        .order_by(table.organization_id, table.period, table.metric_name)
    )
    query = equal_if_given(query, organization_id=organization_id, metric_name=metric_name)
    return listing.page(query, MetricQuarterlyPublic, "metrics-quarterly")
