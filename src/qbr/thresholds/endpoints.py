"""``/thresholds``: warning and critical values, the defaults (no organization) and organizations' own."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import select

from qbr.api.deps import ListingDep
from qbr.api.filters import equal_if_given
from qbr.api.listing import CSV_RESPONSE, ListEnvelope
from qbr.api.params import OrganizationIdQuery
from qbr.core.schema import Name100
from qbr.thresholds.models import Threshold
from qbr.thresholds.schemas import ThresholdPublic

router = APIRouter(prefix="/thresholds", tags=["thresholds"])


@router.get("", response_model=ListEnvelope[ThresholdPublic], responses=CSV_RESPONSE)
def list_thresholds(
    listing: ListingDep,
    organization_id: OrganizationIdQuery = None,
    is_default: Annotated[
        bool | None, Query(description="true: only the defaults; false: only organizations' own thresholds.")
    ] = None,
    metric_name: Annotated[Name100 | None, Query(description="A metric or KPI name.")] = None,
    threshold_type: Annotated[Literal["warning", "critical"] | None, Query()] = None,
) -> object:
    # Defaults apply to every organization, so every caller sees them.
    query = (
        select(Threshold)
        .where(listing.principal.organization_filter(Threshold.organization_id, include_defaults=True))
        .order_by(Threshold.metric_name, Threshold.organization_id.is_not(None), Threshold.organization_id)
        .order_by(Threshold.threshold_type.desc())
    )
    query = equal_if_given(
        query, organization_id=organization_id, metric_name=metric_name, threshold_type=threshold_type
    )
    if is_default is not None:
        query = query.where(
            Threshold.organization_id.is_(None) if is_default else Threshold.organization_id.is_not(None)
        )
    return listing.page(query, ThresholdPublic, "thresholds")
