"""``/organizations/{id}/dashboard`` and ``…/data-quality``: an organization's figures for a month or a quarter,
ready to show, and what looks wrong in them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from qbr.api.conditional import Conditional, respond_bytes
from qbr.api.deps import ListingDep, PrincipalDep, SessionDep
from qbr.api.listing import CSV_RESPONSE, ListEnvelope, respond
from qbr.api.params import IdPath
from qbr.dashboard.edition import apply_edition, edition_for
from qbr.dashboard.forecasts import with_forecasts
from qbr.dashboard.schemas import DashboardView, DataQualityIssue
from qbr.dashboard.service import build_dashboard, data_quality_issues
from qbr.organizations.service import get_visible_organization
from qbr.periods.calendar import PERIOD_MAX_LENGTH, PERIOD_PATTERN, parse_period
from qbr.periods.params import PERIOD_EXAMPLES

router = APIRouter(prefix="/organizations", tags=["dashboard"])

RequiredPeriod = Annotated[
    str, Query(pattern=PERIOD_PATTERN, max_length=PERIOD_MAX_LENGTH, description=f"The period: {PERIOD_EXAMPLES}.")
]


@router.get(
    "/{organization_id}/dashboard",
    response_model=DashboardView,
    summary="An organization's dashboard for a month or quarter",
)
def dashboard(
    organization_id: IdPath,
    period: RequiredPeriod,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    forecast: Annotated[
        bool,
        Query(
            description="Add each KPI's and metric's forecast of the next period (a model fit each: slower); none "
            "for a period still in progress."
        ),
    ] = False,
) -> Response:
    """Every KPI and metric of the period with unit, status, thresholds, the previous period's value, the same
    period a year earlier, change in percent (and in points for percentages), and the trend of the last 8
    quarters (or 13 months). A client user gets the client edition: client items only, without formulas,
    data-quality notes or sources."""
    principal.require_visible(organization_id)  # an invisible organization answers like a missing one
    ref = parse_period(period, location="query.period")
    conditional = Conditional(request, session, principal, depends_on=[organization_id])
    if (unchanged := conditional.not_modified()) is not None:
        return unchanged

    def build() -> bytes:
        view = build_dashboard(session, organization_id, ref)
        view = apply_edition(view, edition_for(session, principal, organization_id))
        if forecast:
            view = with_forecasts(view)
        # Serialized once, here: returned as a model, the finished view would be validated again and serialized
        # in further trips to the thread pool.
        return view.model_dump_json().encode()

    body = conditional.cached_bytes("dashboard.json", (organization_id, ref.value, forecast), build)
    return respond_bytes(conditional, body, "application/json")


@router.get(
    "/{organization_id}/data-quality",
    response_model=ListEnvelope[DataQualityIssue],
    responses=CSV_RESPONSE,
    summary="An organization's data-quality signals",
)
def data_quality(organization_id: IdPath, period: RequiredPeriod, listing: ListingDep) -> object:
    """What looks wrong or missing in the organization's figures for the period: zero activity, changes of more
    than 50 % from the previous month, KPIs that could not be computed and why, missing vendor links."""
    get_visible_organization(listing.session, listing.principal, organization_id)
    ref = parse_period(period, location="query.period")
    issues = data_quality_issues(listing.session, organization_id, ref)
    if edition_for(listing.session, listing.principal, organization_id) == "client":
        issues = []  # how the MSP's data is gathered and checked is not the client's concern
    start, end = listing.params.offset, listing.params.offset + listing.params.limit
    return respond(
        issues[start:end],
        DataQualityIssue,
        listing.params,
        total=len(issues),
        filename=f"organization-{organization_id}-data-quality-{period}",
    )
