"""``/periods``: the months and quarters the product knows, open (still collecting) or closed (final)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.api.deps import AdminDep, ListingDep, PrincipalDep, SessionDep
from qbr.api.filters import equal_if_given
from qbr.api.listing import CSV_RESPONSE, ListEnvelope
from qbr.core.principal import Principal
from qbr.errors import NotFound
from qbr.periods.calendar import parse_period
from qbr.periods.models import Period
from qbr.periods.params import PeriodFromQuery, PeriodPath, PeriodToQuery
from qbr.periods.schemas import PeriodPublic
from qbr.periods.service import close_periods, get_period, reopen_periods
from qbr.periods.visibility import visible_period_filter

router = APIRouter(prefix="/periods", tags=["periods"])


@router.get("", response_model=ListEnvelope[PeriodPublic], responses=CSV_RESPONSE, summary="List periods")
def list_periods(
    listing: ListingDep,
    period_type: Annotated[Literal["monthly", "quarterly"] | None, Query()] = None,
    is_active: Annotated[bool | None, Query(description="true: open periods; false: closed ones.")] = None,
    period_from: PeriodFromQuery = None,
    period_to: PeriodToQuery = None,
) -> object:
    # A quarter right after its last month, so a year reads 01, 02, 03, Q1, 04, …
    query = select(Period).order_by(Period.end_date, Period.start_date.desc())
    query = equal_if_given(query, period_type=period_type, is_active=is_active)
    # A principal limited to some organizations lists only the periods they have data in.
    query = query.where(visible_period_filter(listing.principal.organization_ids, Period.period_value))
    if period_from is not None:
        query = query.where(Period.start_date >= parse_period(period_from, location="query.period_from").start_date)
    if period_to is not None:
        query = query.where(Period.end_date <= parse_period(period_to, location="query.period_to").end_date)
    return listing.page(query, PeriodPublic, "periods")


@router.get("/{period_value}", summary="Get a period")
def get(period_value: PeriodPath, session: SessionDep, principal: PrincipalDep) -> PeriodPublic:
    ref = parse_period(period_value, location="path.period_value")
    period = get_period(session, ref)
    visible = session.scalar(
        select(Period.id).where(
            Period.id == period.id, visible_period_filter(principal.organization_ids, Period.period_value)
        )
    )
    if visible is None:
        # As for a period that does not exist: the answer must not tell that another organization has data there.
        raise NotFound(f"period {ref.value} does not exist yet (it is created when its first data arrives)")
    return PeriodPublic.model_validate(period)


@router.post("/{period_value}/close", summary="Close a period")
def close(period_value: PeriodPath, session: SessionDep, principal: AdminDep) -> PeriodPublic:
    """Close a period: its figures are final; imports and syncs into it are refused unless they reopen it (manual
    corrections stay possible and are recorded). Closing a quarter closes its months."""
    return _change(session, principal, period_value, close_periods, "closing a period")


@router.post("/{period_value}/open", summary="Reopen a period")
def reopen(period_value: PeriodPath, session: SessionDep, principal: AdminDep) -> PeriodPublic:
    """Reopen a closed period for collected data. Reopening a month reopens its quarter (whose figures it
    changes); reopening a quarter reopens its months."""
    return _change(session, principal, period_value, reopen_periods, "reopening a period")


def _change(
    session: SessionDep,
    principal: Principal,
    period_value: str,
    change: Callable[[Session, list[str]], object],
    action: str,
) -> PeriodPublic:
    principal.require_unscoped("admin", action)
    ref = parse_period(period_value, location="path.period_value")
    change(session, [ref.value])
    return PeriodPublic.model_validate(get_period(session, ref))
