"""``/smartnumbers``: computed KPI values per organization and month or quarter, and recomputing them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import select

from qbr.api.deps import EditorDep, ListingDep, SessionDep
from qbr.api.filters import equal_if_given
from qbr.api.listing import CSV_RESPONSE, ListEnvelope
from qbr.api.params import OrganizationIdQuery
from qbr.core.schema import Name100
from qbr.kpis.models import SmartNumber
from qbr.kpis.recompute_request import recompute_matching
from qbr.kpis.schemas import RecomputeRequest, RecomputeSummary, SmartNumberPublic
from qbr.metrics.audience import client_names_only, principal_edition
from qbr.metrics.schemas import PeriodPair
from qbr.organizations.service import get_visible_organization
from qbr.periods.calendar import parse_period
from qbr.periods.filters import PeriodFiltersDep
from qbr.periods.models import Period

router = APIRouter(prefix="/smartnumbers", tags=["smartnumbers"])


@router.get(
    "", response_model=ListEnvelope[SmartNumberPublic], responses=CSV_RESPONSE, summary="List SmartNumbers (KPI values)"
)
def list_smartnumbers(
    listing: ListingDep,
    periods: PeriodFiltersDep,
    organization_id: OrganizationIdQuery = None,
    kpi_name: Annotated[Name100 | None, Query(description="Only this KPI.")] = None,
    period_type: Annotated[
        Literal["monthly", "quarterly"] | None, Query(description="Only months or quarters.")
    ] = None,
) -> object:
    """KPI values; ``kpi_value`` is null when the KPI cannot be computed (a missing input, a zero denominator)."""
    table = SmartNumber
    query = (
        select(table)
        .where(
            listing.principal.organization_filter(table.organization_id),
            client_names_only(principal_edition(listing.session, listing.principal), table.kpi_name),
            *periods.conditions(table.period),
        )
        .order_by(table.organization_id, table.period, table.kpi_name)
    )
    query = equal_if_given(query, organization_id=organization_id, kpi_name=kpi_name)
    if period_type is not None:
        query = query.where(table.period.in_(select(Period.period_value).where(Period.period_type == period_type)))
    return listing.page(query, SmartNumberPublic, "smartnumbers")


@router.post("/recompute", summary="Recompute rollups and KPIs")
def recompute(body: RecomputeRequest, session: SessionDep, principal: EditorDep) -> RecomputeSummary:
    """Recompute quarterly rollups and KPIs from the monthly values (they are kept current on every write; this is
    for after a catalog change or a repair)."""
    organization_ids = principal.organization_ids
    if body.organization_id is not None:
        organization_ids = frozenset({get_visible_organization(session, principal, body.organization_id).id})
    period = parse_period(body.period, location="body.period") if body.period is not None else None
    pairs = recompute_matching(session, organization_ids=organization_ids, period=period)
    return RecomputeSummary(recomputed=[PeriodPair(organization_id=org, period=value) for org, value in pairs])
