"""``/organizations/{id}/dashboard``: the organization's figures for a month or a quarter, ready to show."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from qbr.api.deps import PrincipalDep, SessionDep
from qbr.api.params import PERIOD_EXAMPLES, IdPath
from qbr.dashboard.schemas import DashboardView
from qbr.dashboard.service import build_dashboard
from qbr.organizations.service import get_visible_organization
from qbr.periods.calendar import PERIOD_PATTERN, parse_period

router = APIRouter(prefix="/organizations", tags=["dashboard"])

RequiredPeriod = Annotated[str, Query(pattern=PERIOD_PATTERN, description=f"The period: {PERIOD_EXAMPLES}.")]


@router.get("/{organization_id}/dashboard")
def dashboard(
    organization_id: IdPath, period: RequiredPeriod, session: SessionDep, principal: PrincipalDep
) -> DashboardView:
    """Every KPI and metric of the period with unit, status, thresholds, the previous period's value, the same
    period a year earlier, change in percent, and the trend of the last 8 quarters (or 13 months)."""
    # Held, not discarded: the session keeps only referenced rows, and the dashboard reads this one again.
    organization = get_visible_organization(session, principal, organization_id)
    return build_dashboard(session, organization.id, parse_period(period, location="query.period"))
