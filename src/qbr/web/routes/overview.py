"""The overview page: every organization the user may see, with its key KPIs' statuses, worst first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from qbr.api.deps import SessionDep
from qbr.periods.calendar import parse_period
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
) -> Response:
    ref = parse_period(period) if period else default_period(session, principal)
    overview = build_overview(session, principal, ref, q)
    for row in overview.rows:
        row.url = request.url_for("organization_qbr", organization_id=row.organization_id, period=ref.value).path
    periods = picker_periods(session, principal)
    context = {"overview": overview, "query": q, "picker_periods": periods, "nav": "overview"}
    return render(request, "overview.html", context)
