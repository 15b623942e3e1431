"""The overview page: every organization the user may see, with its key KPIs' statuses, worst first."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from qbr.api.deps import SessionDep
from qbr.dashboard.edition import principal_edition
from qbr.dashboard.figures import is_in_progress
from qbr.periods.calendar import parse_period
from qbr.web.caching import page_conditional
from qbr.web.deps import PagePrincipal
from qbr.web.overview import build_overview
from qbr.web.periods import default_period, picker_periods
from qbr.web.templating import render

router = APIRouter()


@router.get("/", name="overview")
def overview_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    period: str = "",
    q: Annotated[str, Query(max_length=200)] = "",
    sort: Annotated[str, Query(max_length=20, description="status (worst first), standing (staff), name")] = "status",
) -> Response:
    ref = parse_period(period) if period else default_period(session, principal)
    depends_on = None if principal.organization_ids is None else sorted(principal.organization_ids)
    conditional = page_conditional(request, session, principal, depends_on=depends_on)
    if (unchanged := conditional.not_modified()) is not None:
        return unchanged
    edition = principal_edition(session, principal)
    overview = conditional.cached_object(
        "overview", (ref.value, q, sort), lambda: build_overview(session, principal, ref, q, edition=edition, sort=sort)
    )
    for row in overview.rows:
        row.url = request.url_for("organization_qbr", organization_id=row.organization_id, period=ref.value).path
    context = {
        "overview": overview,
        "edition": edition,
        "period_is_partial": is_in_progress(ref.value, date.today()),
        "query": q,
        "picker_periods": picker_periods(session, principal),
        "nav": "overview",
    }
    return render(request, "overview.html", context, headers=conditional.headers)
