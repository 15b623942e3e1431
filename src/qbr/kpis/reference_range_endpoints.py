"""``/kpi-reference-ranges``: the industry's published range of a KPI, keyed by the KPI's name.

The MSP's staff read them; unscoped admins change them, as they change the rest of the KPI catalog. A client user
gets ``403``: the ranges judge the MSP's own business, never a client's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from sqlalchemy.orm import Session

from qbr.api.deps import AdminDep, ListingDep, PrincipalDep, SessionDep
from qbr.api.listing import CSV_RESPONSE, ListEnvelope
from qbr.core.principal import Principal
from qbr.errors import PermissionDenied
from qbr.kpis.reference_range_schemas import KpiReferenceRangePublic, KpiReferenceRangeWrite
from qbr.kpis.reference_ranges import (
    RangeInput,
    delete_reference_range,
    find_reference_range,
    reference_ranges_query,
    set_reference_range,
)
from qbr.metrics.audience import principal_edition

router = APIRouter(prefix="/kpi-reference-ranges", tags=["catalog"])
KpiNamePath = Annotated[str, Path(max_length=100, description="The KPI's name, e.g. RHEM or Profit Margin.")]


@router.get(
    "",
    response_model=ListEnvelope[KpiReferenceRangePublic],
    responses=CSV_RESPONSE,
    summary="List KPI reference ranges",
)
def list_ranges(listing: ListingDep) -> object:
    _require_staff(listing.session, listing.principal)
    return listing.page(reference_ranges_query(), KpiReferenceRangePublic, "kpi-reference-ranges")


@router.get("/{kpi_name}", summary="Get a KPI's reference range")
def get(kpi_name: KpiNamePath, session: SessionDep, principal: PrincipalDep) -> KpiReferenceRangePublic:
    _require_staff(session, principal)
    return KpiReferenceRangePublic.model_validate(find_reference_range(session, kpi_name))


@router.put("/{kpi_name}", summary="Set a KPI's reference range")
def put(
    kpi_name: KpiNamePath, body: KpiReferenceRangeWrite, session: SessionDep, principal: AdminDep, response: Response
) -> KpiReferenceRangePublic:
    """Create or replace the range: low and/or high in the KPI's unit (low not above high), which side is better
    (default: the KPI's direction), and the source: publisher, title, address if public, year, a note."""
    principal.require_unscoped("admin", "changing the KPI catalog")
    given = RangeInput(**body.model_dump())
    stored, created = set_reference_range(session, kpi_name, given, kpi_location="path.kpi_name", field_prefix="body.")
    if created:
        response.status_code = status.HTTP_201_CREATED
    return KpiReferenceRangePublic.model_validate(stored)


@router.delete("/{kpi_name}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a KPI's reference range")
def delete(kpi_name: KpiNamePath, session: SessionDep, principal: AdminDep) -> Response:
    principal.require_unscoped("admin", "changing the KPI catalog")
    delete_reference_range(session, kpi_name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _require_staff(session: Session, principal: Principal) -> None:
    if principal_edition(session, principal) == "client":
        raise PermissionDenied("the industry's reference ranges are for the MSP's staff, not for client users")
