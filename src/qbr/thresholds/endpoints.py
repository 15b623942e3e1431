"""``/thresholds``: warning and critical values, the defaults (no organization) and organizations' own."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from sqlalchemy import select

from qbr.api.deps import EditorDep, ListingDep, SessionDep
from qbr.api.filters import equal_if_given
from qbr.api.listing import CSV_RESPONSE, ListEnvelope
from qbr.api.params import IdPath, OrganizationIdQuery
from qbr.core.schema import Name100
from qbr.metrics.audience import client_names_only, principal_edition
from qbr.thresholds.models import Threshold
from qbr.thresholds.schemas import ThresholdPublic, ThresholdsPut, ThresholdsWritten
from qbr.thresholds.writes import put_thresholds, remove_threshold

router = APIRouter(prefix="/thresholds", tags=["thresholds"])


@router.get("", response_model=ListEnvelope[ThresholdPublic], responses=CSV_RESPONSE, summary="List thresholds")
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
        .where(
            listing.principal.organization_filter(Threshold.organization_id, include_defaults=True),
            client_names_only(principal_edition(listing.session, listing.principal), Threshold.metric_name),
        )
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


@router.put("", summary="Set thresholds")
def put(body: ThresholdsPut, session: SessionDep, principal: EditorDep) -> ThresholdsWritten:
    """Set warning and/or critical values, the defaults (no ``organization_id``; unscoped admins) or an
    organization's own (its editors). A warning value on the wrong side of the critical one, for the metric's
    direction, is refused; so is a change to a default that would leave an organization's own pair inconsistent."""
    rows = put_thresholds(session, principal, body.items)
    return ThresholdsWritten(items=[ThresholdPublic.model_validate(row) for row in rows])


@router.delete("/{threshold_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a threshold")
def delete(threshold_id: IdPath, session: SessionDep, principal: EditorDep) -> None:
    """Delete one threshold; an organization without its own value falls back to the default."""
    remove_threshold(session, principal, threshold_id)
