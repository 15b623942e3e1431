"""``/metric-definitions``: the metric catalog (unit, direction, quarterly rollup rule, default source)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import select

from qbr.api.deps import AdminDep, ListingDep, PrincipalDep, SessionDep
from qbr.api.filters import equal_if_given
from qbr.api.listing import CSV_RESPONSE, ListEnvelope
from qbr.api.lookup import get_or_404
from qbr.api.params import IdPath
from qbr.core.schema import Name50
from qbr.errors import NotFound
from qbr.ingest.definitions import define_metric, update_metric_definition
from qbr.metrics.audience import client_names_only, principal_edition
from qbr.metrics.models import MetricDefinition
from qbr.metrics.schemas import (
    MetricDefinitionCreate,
    MetricDefinitionPublic,
    MetricDefinitionUpdate,
    Rollup,
    Unit,
)

definitions_router = APIRouter(prefix="/metric-definitions", tags=["catalog"])


@definitions_router.get(
    "", response_model=ListEnvelope[MetricDefinitionPublic], responses=CSV_RESPONSE, summary="List metric definitions"
)
def list_metric_definitions(
    listing: ListingDep,
    unit: Annotated[Unit | None, Query()] = None,
    rollup: Annotated[Rollup | None, Query()] = None,
    default_source: Annotated[Name50 | None, Query()] = None,
) -> object:
    edition = principal_edition(listing.session, listing.principal)
    query = select(MetricDefinition).where(client_names_only(edition, MetricDefinition.metric_name))
    query = query.order_by(MetricDefinition.id)
    query = equal_if_given(query, unit=unit, rollup=rollup, default_source=default_source)
    return listing.page(query, MetricDefinitionPublic, "metric-definitions")


@definitions_router.post("", status_code=status.HTTP_201_CREATED, summary="Add a metric to the catalog")
def create(
    body: MetricDefinitionCreate, session: SessionDep, principal: AdminDep, response: Response
) -> MetricDefinitionPublic:
    principal.require_unscoped("admin", "changing the metric catalog")
    definition = define_metric(session, **body.model_dump())
    response.headers["Location"] = f"{definitions_router.prefix}/{definition.id}"
    return MetricDefinitionPublic.model_validate(definition)


@definitions_router.get("/{definition_id}", summary="Get a metric definition")
def get(definition_id: IdPath, session: SessionDep, principal: PrincipalDep) -> MetricDefinitionPublic:
    definition = get_or_404(session, MetricDefinition, definition_id, "metric definition")
    if definition.audience != "client" and principal_edition(session, principal) == "client":
        # An internal metric answers a client user exactly like a missing one.
        raise NotFound(f"no metric definition with id {definition_id}")
    return MetricDefinitionPublic.model_validate(definition)


@definitions_router.patch("/{definition_id}", summary="Change a metric definition")
def update(
    definition_id: IdPath, body: MetricDefinitionUpdate, session: SessionDep, principal: AdminDep
) -> MetricDefinitionPublic:
    definition = get_or_404(session, MetricDefinition, definition_id, "metric definition")
    principal.require_unscoped("admin", "changing the metric catalog")
    return MetricDefinitionPublic.model_validate(update_metric_definition(session, definition, body.changes()))
