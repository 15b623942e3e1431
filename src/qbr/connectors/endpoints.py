"""``/sync-runs`` (the sync-run log) and ``/connectors`` (each connector's settings and state, for admins).

Both span every organization (a run names the vendor records it could not map), so callers limited to some
organizations are refused. Secrets are never part of a response: a secret setting says only whether it is set.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbr.api.deps import AdminDep, ListingDep, PrincipalDep, SessionDep
from qbr.api.listing import CSV_RESPONSE, ListEnvelope, respond
from qbr.api.params import IdPath
from qbr.connectors.models import SyncRun
from qbr.connectors.registry import SOURCES, accepted_names, source_system
from qbr.connectors.schemas import ConnectorSettingState, ConnectorStatus, RunStatus, SyncRunPublic
from qbr.connectors.settings import load_settings
from qbr.errors import NotFound
from qbr.organizations.models import OrganizationLink
from qbr.periods.params import PeriodQuery
from qbr.sources import ConnectorSource

router = APIRouter(tags=["connectors"])
_SPANS = "the sync-run log and connector settings"


@router.get("/sync-runs", response_model=ListEnvelope[SyncRunPublic], responses=CSV_RESPONSE)
def list_sync_runs(
    listing: ListingDep,
    source_system: Annotated[ConnectorSource | None, Query()] = None,
    period: PeriodQuery = None,
    status: Annotated[RunStatus | None, Query()] = None,
) -> object:
    """The sync-run log, newest first."""
    listing.principal.require_unscoped("viewer", f"reading {_SPANS}")
    query = select(SyncRun).order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
    if source_system is not None:
        query = query.where(SyncRun.source_system == source_system)
    if period is not None:
        query = query.where(SyncRun.period == period)
    if status is not None:
        query = query.where(SyncRun.status == status)
    return listing.page(query, SyncRunPublic, "sync-runs")


@router.get("/sync-runs/{run_id}")
def get_sync_run(run_id: IdPath, session: SessionDep, principal: PrincipalDep) -> SyncRunPublic:
    principal.require_unscoped("viewer", f"reading {_SPANS}")
    run = session.get(SyncRun, run_id)
    if run is None:
        raise NotFound(f"no sync run with id {run_id}")
    return SyncRunPublic.model_validate(run)


@router.get("/connectors", response_model=ListEnvelope[ConnectorStatus], responses=CSV_RESPONSE)
def list_connectors(listing: ListingDep, principal: AdminDep) -> object:
    """Every connector: configured or not, its settings (secrets only as set or not), the account mapping of the
    accounting ones, links, and the last run."""
    principal.require_unscoped("admin", f"reading {_SPANS}")
    everything = [connector_status(listing.session, source) for source in SOURCES]
    page = everything[listing.params.offset : listing.params.offset + listing.params.limit]
    return respond(page, ConnectorStatus, listing.params, total=len(everything), filename="connectors")


@router.get("/connectors/{source}")
def get_connector(
    source: Annotated[str, Path(max_length=20, description=f"{accepted_names()} (any case)")],
    session: SessionDep,
    principal: AdminDep,
) -> ConnectorStatus:
    principal.require_unscoped("admin", f"reading {_SPANS}")
    return connector_status(session, source_system(source))


def connector_status(session: Session, source: str) -> ConnectorStatus:
    settings = load_settings(session, source)
    last = session.scalar(
        select(SyncRun).where(SyncRun.source_system == source).order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
    )
    last_success = session.scalar(
        select(func.max(SyncRun.finished_at)).where(SyncRun.source_system == source, SyncRun.status == "succeeded")
    )
    links = session.scalar(select(func.count()).where(OrganizationLink.source_system == source)) or 0
    return ConnectorStatus(
        source_system=source,
        is_configured=settings.is_configured,
        missing=settings.missing,
        settings=[
            ConnectorSettingState(
                setting_key=value.key,
                setting_value=None if value.secret else value.value,
                is_secret=value.secret,
                is_set=value.value is not None,
                origin=value.origin,
                env_var=value.env_var,
            )
            for value in settings.values.values()
        ],
        account_map=settings.account_map,
        refresh_token_expires_at=settings.refresh_token_expires_at,
        links=links,
        last_run=SyncRunPublic.model_validate(last) if last is not None else None,
        last_success_at=last_success,
    )
