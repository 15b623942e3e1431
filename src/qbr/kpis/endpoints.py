"""``/kpi-definitions``: the SmartNumbers catalog, each KPI a formula over metric and KPI names."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from qbr.api.deps import ListingDep, PrincipalDep, SessionDep
from qbr.api.filters import equal_if_given
from qbr.api.listing import CSV_RESPONSE, ListEnvelope
from qbr.api.lookup import get_or_404
from qbr.api.params import IdPath
from qbr.kpis.models import KpiDefinition
from qbr.kpis.schemas import KpiDefinitionPublic

definitions_router = APIRouter(prefix="/kpi-definitions", tags=["catalog"])


@definitions_router.get("", response_model=ListEnvelope[KpiDefinitionPublic], responses=CSV_RESPONSE)
def list_kpi_definitions(
    listing: ListingDep,
    is_key: Annotated[bool | None, Query(description="true: only the key KPIs the overview leads with.")] = None,
) -> object:
    query = select(KpiDefinition).order_by(KpiDefinition.sort_order, KpiDefinition.id)
    query = equal_if_given(query, is_key=is_key)
    return listing.page(query, KpiDefinitionPublic, "kpi-definitions")


@definitions_router.get("/{definition_id}")
def get(definition_id: IdPath, session: SessionDep, _principal: PrincipalDep) -> KpiDefinitionPublic:
    return KpiDefinitionPublic.model_validate(get_or_404(session, KpiDefinition, definition_id, "KPI definition"))
