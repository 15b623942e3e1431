"""An organization's QBR page for a quarter or a month, its print view and its PDF, and the MSP's own page."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from qbr.api.conditional import Conditional, respond_bytes
from qbr.api.deps import SessionDep
from qbr.branding.service import current_brand
from qbr.charts.svg import render_svg
from qbr.core.principal import Principal
from qbr.dashboard.edition import apply_edition, edition_for
from qbr.dashboard.forecasts import with_forecasts
from qbr.dashboard.schemas import DashboardView
from qbr.dashboard.service import build_dashboard
from qbr.deck.builder import render_qbr_deck
from qbr.deck.review_story import review_story
from qbr.errors import NotFound
from qbr.organizations.models import Organization
from qbr.periods.calendar import PeriodRef, parse_period
from qbr.presentation.ranges import industry_comparison
from qbr.presentation.status import STATUSES
from qbr.reports.pdf import needing_attention, render_qbr_pdf, report_kind, summary_sentence
from qbr.reports.shown import glossary, kpi_charts, trend
from qbr.reports.trends import has_values, item_status
from qbr.reviews.reading import review_for, review_for_report
from qbr.web.caching import page_conditional
from qbr.web.deps import PagePrincipal
from qbr.web.periods import default_period, picker_periods
from qbr.web.templating import page_brand, render

router = APIRouter()
PPTX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _visible_organization(session: Session, principal: Principal, organization_id: int) -> Organization:
    principal.require_visible(organization_id)
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(f"no organization with id {organization_id}")
    return organization


def _visible_view(
    session: Session, principal: Principal, conditional: Conditional, organization_id: int, period: PeriodRef
) -> DashboardView:
    """The organization's view in the edition ``principal`` may see (see qbr.dashboard.edition), with the KPIs'
    forecasts its charts draw, built once per data version and scope (the edition follows from the scope) and
    shared by the page, the print view and the PDF.

    The client edition shows forecasts too: only on the client's own KPIs (the edition has dropped the internal ones
    before anything is forecast), each labelled "Forecast" with its interval and method, and the published review
    a client reads names the same forecasts in words. Metrics are not charted on these pages, so not forecast."""

    def build() -> DashboardView:
        view = build_dashboard(session, organization_id, period)
        return with_forecasts(apply_edition(view, edition_for(session, principal, organization_id)), metrics=False)

    return conditional.cached_object("dashboard-view", (organization_id, period.value), build)


def attachment(filename: str) -> str:
    """A Content-Disposition for a download: an ASCII name for old clients, the exact UTF-8 name for the rest."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def qbr_url(request: Request, organization_id: int, period: str) -> str:
    return request.url_for("organization_qbr", organization_id=organization_id, period=period).path


@router.get("/organizations/{organization_id}", name="organization")
def organization_home(
    organization_id: int, request: Request, session: SessionDep, principal: PagePrincipal
) -> Response:
    _visible_organization(session, principal, organization_id)
    period = default_period(session, principal, organization_id)
    return RedirectResponse(qbr_url(request, organization_id, period.value), status_code=303)


@router.get("/organizations/{organization_id}/qbr", name="organization_pick_period")
def pick_period(
    organization_id: int, request: Request, principal: PagePrincipal, session: SessionDep, period: str = ""
) -> Response:
    """The period picker's target (a GET form): on to the page's own address for the chosen period."""
    _visible_organization(session, principal, organization_id)
    ref = parse_period(period) if period else default_period(session, principal, organization_id)
    return RedirectResponse(qbr_url(request, organization_id, ref.value), status_code=303)


@router.get("/organizations/{organization_id}/qbr/{period}.pdf", name="organization_qbr_pdf")
def qbr_pdf(
    organization_id: int, period: str, request: Request, session: SessionDep, principal: PagePrincipal
) -> Response:
    organization = _visible_organization(session, principal, organization_id)
    ref = parse_period(period)
    # A file carries nothing of the requester's own: one ETag and one cache entry per scope.
    conditional = Conditional(request, session, principal, depends_on=[organization_id])
    if (unchanged := conditional.not_modified()) is not None:
        return unchanged

    def build() -> bytes:
        view = _visible_view(session, principal, conditional, organization_id, ref)
        return render_qbr_pdf(view, brand=current_brand(session, request.app.state.settings))

    content = conditional.cached_bytes("qbr.pdf", (organization_id, ref.value), build)
    filename = f"QBR {organization.name} {ref.value}.pdf"
    return respond_bytes(conditional, content, "application/pdf", **{"Content-Disposition": attachment(filename)})


@router.get("/organizations/{organization_id}/qbr/{period}.pptx", name="organization_qbr_pptx")
def qbr_deck(
    organization_id: int, period: str, request: Request, session: SessionDep, principal: PagePrincipal
) -> Response:
    """The editable deck of the review (native charts and tables) the account manager adjusts before the meeting:
    staff get the live review's internal edition, a client the client edition of the newest published version."""
    organization = _visible_organization(session, principal, organization_id)
    ref = parse_period(period)
    conditional = Conditional(request, session, principal, depends_on=[organization_id])
    if (unchanged := conditional.not_modified()) is not None:
        return unchanged

    def build() -> bytes:
        if edition_for(session, principal, organization_id) == "client":
            review = review_for(session, organization_id, ref.value, "client")
        else:
            review = review_for_report(session, organization_id, ref.value, "internal")
        brand = current_brand(session, request.app.state.settings)
        return render_qbr_deck(review.figures, brand=brand, story=review_story(review))

    try:
        content = conditional.cached_bytes("qbr.pptx", (organization_id, ref.value), build)
    except NotFound:
        if edition_for(session, principal, organization_id) != "client":
            raise
        # Nothing published yet: the review page says so (as the review's own PDF link does).
        target = request.url_for("review_page", organization_id=organization_id, period=ref.value).path
        return RedirectResponse(target, status_code=303)
    filename = f"QBR {organization.name} {ref.value}.pptx"
    return respond_bytes(conditional, content, PPTX_MEDIA_TYPE, **{"Content-Disposition": attachment(filename)})


@router.get("/organizations/{organization_id}/qbr/{period}/print", name="organization_qbr_print")
def qbr_print(
    organization_id: int, period: str, request: Request, session: SessionDep, principal: PagePrincipal
) -> Response:
    _visible_organization(session, principal, organization_id)
    ref = parse_period(period)
    conditional = page_conditional(request, session, principal, depends_on=[organization_id])
    if (unchanged := conditional.not_modified()) is not None:
        return unchanged
    view = _visible_view(session, principal, conditional, organization_id, ref)
    brand = page_brand(request)
    context = _view_context(request, view) | {
        "report_kind": report_kind(view),
        "summary_sentence": summary_sentence(view, needing_attention(view)),
        "generated_on": date.today(),
        "back_url": qbr_url(request, organization_id, view.period.period_value),
        "logo_url": f"{request.url_for('msp_logo').path}?v={brand.version}" if brand.has_logo else None,
    }
    return render(request, "print.html", context, headers=conditional.headers)


@router.get("/organizations/{organization_id}/qbr/{period}", name="organization_qbr")
def qbr_page(
    organization_id: int, period: str, request: Request, session: SessionDep, principal: PagePrincipal
) -> Response:
    organization = _visible_organization(session, principal, organization_id)
    ref = parse_period(period)
    conditional = page_conditional(request, session, principal, depends_on=[organization_id])
    if (unchanged := conditional.not_modified()) is not None:
        return unchanged
    view = _visible_view(session, principal, conditional, organization_id, ref)
    return _qbr_page(
        request, session, principal, organization, view, conditional, heading=organization.name, nav="overview"
    )


@router.get("/smartnumbers", name="smartnumbers")
def smartnumbers(request: Request, session: SessionDep, principal: PagePrincipal, period: str = "") -> Response:
    """The MSP's own SmartNumbers: the internal QBR, in the same form as a client's."""
    msp = session.scalar(select(Organization).where(Organization.is_msp))
    if msp is not None and not principal.can_see(msp.id):
        raise NotFound("no such page")  # a client user learns nothing about the MSP's own figures
    if msp is None:
        how = ": create it with `qbr orgs create NAME --msp`" if not principal.is_scoped else ""
        raise NotFound(f"no organization is marked as the MSP itself yet{how}")
    ref = parse_period(period) if period else default_period(session, principal, msp.id)
    conditional = page_conditional(request, session, principal, depends_on=[msp.id])
    if (unchanged := conditional.not_modified()) is not None:
        return unchanged
    msp_id = msp.id
    # The MSP's own organization is always internal.
    view = conditional.cached_object(
        "msp-view", (msp_id, ref.value), lambda: with_forecasts(build_dashboard(session, msp_id, ref), metrics=False)
    )
    return _qbr_page(
        request, session, principal, msp, view, conditional, heading="Our SmartNumbers", nav="smartnumbers"
    )


def _qbr_page(
    request: Request,
    session: Session,
    principal: Principal,
    organization: Organization,
    view: DashboardView,
    conditional: Conditional,
    *,
    heading: str,
    nav: str,
) -> Response:
    ref = parse_period(view.period.period_value)
    following = ref.shift(1)
    is_msp_page = nav == "smartnumbers"
    context = _view_context(request, view) | {
        "heading": heading,
        "nav": nav,
        "picker_action": request.url_for("smartnumbers").path
        if is_msp_page
        else request.url_for("organization_pick_period", organization_id=organization.id).path,
        "picker_periods": picker_periods(session, principal),
        "previous_url": _period_url(request, organization.id, view.previous_period, is_msp_page),
        "next_url": _period_url(request, organization.id, following.value, is_msp_page)
        if following.in_accepted_range and following.start_date <= date.today()
        else None,
        "next_period": following.value,
    }
    return render(request, "organization.html", context, headers=conditional.headers)


def _period_url(request: Request, organization_id: int, period: str | None, is_msp_page: bool) -> str | None:
    if period is None:
        return None
    if is_msp_page:
        return f"{request.url_for('smartnumbers').path}?period={period}"
    return qbr_url(request, organization_id, period)


def _view_context(request: Request, view: DashboardView) -> dict[str, Any]:
    """What the QBR page and the print view share: the view, its tiles split key/other, charts, counts."""
    organization_id, period = view.organization.id, view.period.period_value
    statuses = Counter(item_status(kpi) for kpi in view.kpis)
    charts = kpi_charts(view.kpis)
    return {
        "view": view,
        # A key KPI with no value in the whole trend does not apply to this organization (the MSP's profit
        # margin on a client's page): listed with what could not be computed, not shown as an empty tile.
        "key_kpis": [kpi for kpi in view.kpis if kpi.is_key and has_values(kpi)],
        "other_kpis": [kpi for kpi in view.kpis if not kpi.is_key and kpi.kpi_value is not None],
        # Shown as one compact list: a wall of empty tiles would bury the numbers that exist.
        "not_computed": [kpi for kpi in view.kpis if kpi.kpi_value is None and (not kpi.is_key or not has_values(kpi))],
        "kpi_charts": [
            (kpi, render_svg(trend(kpi, view), f"chart-{index}")) for index, kpi in enumerate(charts.charted, start=1)
        ],
        # KPIs with no data or only zeros in the whole trend: one line instead of empty charts.
        "folded_charts": charts.folded,
        "glossary": glossary(view),
        # Only the MSP's own view carries reference ranges (qbr.dashboard.ranges), and it is always internal.
        "industry": industry_comparison(view.kpis) if view.edition == "internal" else None,
        "status_counts": [(status, statuses[status]) for status in STATUSES],
        "pdf_url": request.url_for("organization_qbr_pdf", organization_id=organization_id, period=period).path,
        "pptx_url": request.url_for("organization_qbr_pptx", organization_id=organization_id, period=period).path,
        "print_url": request.url_for("organization_qbr_print", organization_id=organization_id, period=period).path,
    }
