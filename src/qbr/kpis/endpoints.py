"""``/kpi-definitions``: the SmartNumbers catalog, each KPI a formula over metric and KPI names."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import select

from qbr.api.deps import AdminDep, ListingDep, PrincipalDep, SessionDep
from qbr.api.filters import equal_if_given
from qbr.api.listing import CSV_RESPONSE, ListEnvelope
from qbr.api.lookup import get_or_404
from qbr.api.params import IdPath
from qbr.errors import NotFound
from qbr.kpis.schemas import KpiDefinitionCreate, KpiDefinitionPublic, KpiDefinitionUpdate
from qbr.kpis.service import add_kpi, update_kpi
from qbr.metrics.audience import client_names_only, principal_edition
from qbr.metrics.models import KpiDefinition

definitions_router = APIRouter(prefix="/kpi-definitions", tags=["catalog"])


@definitions_router.get(
    "", response_model=ListEnvelope[KpiDefinitionPublic], responses=CSV_RESPONSE, summary="List KPI definitions"
)
def list_kpi_definitions(
    listing: ListingDep,
    is_key: Annotated[bool | None, Query(description="true: only the key KPIs the overview leads with.")] = None,
) -> object:
    edition = principal_edition(listing.session, listing.principal)
    query = select(KpiDefinition).where(client_names_only(edition, KpiDefinition.kpi_name))
    query = query.order_by(KpiDefinition.sort_order, KpiDefinition.id)
    query = equal_if_given(query, is_key=is_key)
    return listing.page(query, KpiDefinitionPublic, "kpi-definitions")


@definitions_router.get("/{definition_id}", summary="Get a KPI definition")
def get(definition_id: IdPath, session: SessionDep, principal: PrincipalDep) -> KpiDefinitionPublic:
    definition = get_or_404(session, KpiDefinition, definition_id, "KPI definition")
    if definition.audience != "client" and principal_edition(session, principal) == "client":
        # An internal KPI answers a client user exactly like a missing one.
        raise NotFound(f"no KPI definition with id {definition_id}")
    return KpiDefinitionPublic.model_validate(definition)


@definitions_router.post("", status_code=status.HTTP_201_CREATED, summary="Add a KPI to the catalog")
def create(
    body: KpiDefinitionCreate, session: SessionDep, principal: AdminDep, response: Response
) -> KpiDefinitionPublic:
    """Add a KPI. Its formula is validated first (syntax, known names, no cycle through other KPIs); once saved,
    the KPI is computed for every organization and period with data."""
    principal.require_unscoped("admin", "changing the KPI catalog")
    definition = add_kpi(
        session,
        body.kpi_name,
        body.formula,
        unit=body.unit,
        direction=body.direction,
        description=body.description,
        audience=body.audience,
        is_key=body.is_key,
    )
    response.headers["Location"] = f"{definitions_router.prefix}/{definition.id}"
    return KpiDefinitionPublic.model_validate(definition)


@definitions_router.patch("/{definition_id}", summary="Change a KPI definition")
def update(
    definition_id: IdPath, body: KpiDefinitionUpdate, session: SessionDep, principal: AdminDep
) -> KpiDefinitionPublic:
    """Change a KPI; a new formula is validated against the whole catalog and then recomputed everywhere, and a
    new direction must fit the KPI's thresholds."""
    definition = get_or_404(session, KpiDefinition, definition_id, "KPI definition")
    principal.require_unscoped("admin", "changing the KPI catalog")
    return KpiDefinitionPublic.model_validate(update_kpi(session, definition.kpi_name, body.changes()))
