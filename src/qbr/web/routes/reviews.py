"""The review pages: the editor for the MSP's staff, and the published review for a client's users, with its PDF.

Staff (users not limited to organizations) see the live review, edit it when they are editors, and publish it;
a client's users see published versions only, the newest unless they pick an older one. Every change goes through
``qbr.reviews``, the same rules as the API and the CLI.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from qbr.api.conditional import Conditional, respond_bytes
from qbr.api.deps import SessionDep
from qbr.branding.service import current_brand
from qbr.core.principal import Principal
from qbr.core.schema import MAX_ID
from qbr.errors import Conflict, InvalidInput, NotFound
from qbr.organizations.models import Organization
from qbr.periods.calendar import parse_period
from qbr.reports.review_deck import render_review_pdf
from qbr.reviews.edition import reader_edition
from qbr.reviews.models import PRIORITIES, RECOMMENDATION_STATUSES, ReviewVersion
from qbr.reviews.reading import review_for, review_glossary
from qbr.reviews.recommendations import (
    add_recommendation,
    change_recommendation,
    delete_recommendation,
    get_recommendation,
    list_recommendations,
)
from qbr.reviews.schemas import Edition, RecommendationCreate, RecommendationUpdate, ReviewUpdate, ReviewView
from qbr.reviews.service import publish_review, save_review, subject_units
from qbr.web.csrf import verify_csrf
from qbr.web.deps import PageEditor, PagePrincipal
from qbr.web.periods import default_period
from qbr.web.routes.organization import attachment
from qbr.web.session import flash
from qbr.web.templating import render

router = APIRouter()
BLANK_GOAL_ROWS = 2
VersionQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
# Staff may look at what the client sees; a client's edition is always the client's.
EditionQuery = Annotated[Literal["client", "internal"] | None, Query()]
LongField = Annotated[str, Form(max_length=20_000)]
Text10k = Annotated[str, Form(max_length=10_000)]


def _organization(session: Session, principal: Principal, organization_id: int) -> Organization:
    principal.require_visible(organization_id)
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(f"no organization with id {organization_id}")
    return organization


def _staff_editor(principal: Principal) -> None:
    principal.require_unscoped("editor", "changing a review")


def review_url(request: Request, organization_id: int, period: str) -> str:
    return request.url_for("review_page", organization_id=organization_id, period=period).path


@router.get("/organizations/{organization_id}/reviews", name="reviews")
def reviews_home(organization_id: int, request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    """A client's newest published review; for staff, the review of the last complete period."""
    _organization(session, principal, organization_id)
    newest = session.scalar(
        select(ReviewVersion.period)
        .where(ReviewVersion.organization_id == organization_id)
        .order_by(ReviewVersion.published_at.desc())
        .limit(1)
    )
    period = newest if newest and principal.is_scoped else default_period(session, principal, organization_id).value
    return RedirectResponse(review_url(request, organization_id, period), status_code=303)


@router.get("/organizations/{organization_id}/reviews/{period}.pdf", name="review_pdf")
def review_pdf(
    organization_id: int,
    period: str,
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    version: VersionQuery = None,
    edition: EditionQuery = None,
) -> Response:
    organization = _organization(session, principal, organization_id)
    value = parse_period(period).value
    conditional = Conditional(request, session, principal, depends_on=[organization_id])
    if (unchanged := conditional.not_modified()) is not None:
        return unchanged

    def build() -> bytes:
        edition_read = _reader_edition(session, principal, organization_id, edition)
        review = review_for(session, organization_id, value, edition_read, version=version)
        settings = request.app.state.settings
        return render_review_pdf(review, brand=current_brand(session, settings), glossary=review_glossary(session))

    try:
        content = conditional.cached_bytes("review.pdf", (organization_id, value, version, edition), build)
    except NotFound:
        # Nothing published yet: the review page says so, and lists what has been published.
        return RedirectResponse(review_url(request, organization_id, value), status_code=303)
    filename = f"QBR {organization.name} {value}.pdf"
    return respond_bytes(conditional, content, "application/pdf", **{"Content-Disposition": attachment(filename)})


@router.get("/organizations/{organization_id}/reviews/{period}", name="review_page")
def review_page(
    organization_id: int,
    period: str,
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    version: VersionQuery = None,
    edition: EditionQuery = None,
) -> Response:
    organization = _organization(session, principal, organization_id)
    value = parse_period(period).value
    edition = _reader_edition(session, principal, organization_id, edition)
    try:
        review = review_for(session, organization_id, value, edition, version=version)
    except NotFound:
        if edition == "internal":
            raise
        return _nothing_published(request, session, organization, value)
    if edition == "internal" and version is None:
        return _editor(request, session, principal, review, problems=[])
    staff = reader_edition(session, principal, organization_id) == "internal"
    return _published(request, session, review, staff=staff)


def _reader_edition(
    session: Session, principal: Principal, organization_id: int, asked: Literal["client", "internal"] | None
) -> Edition:
    own = reader_edition(session, principal, organization_id)
    return "client" if own == "client" or asked == "client" else own


def _published_periods(session: Session, organization_id: int) -> list[str]:
    rows = session.scalars(
        select(ReviewVersion.period).where(ReviewVersion.organization_id == organization_id).distinct()
    )
    return sorted(rows, reverse=True)


def _nothing_published(request: Request, session: Session, organization: Organization, period: str) -> Response:
    context = {
        "organization": organization,
        "period": period,
        "published_periods": _published_periods(session, organization.id),
    }
    return render(request, "review_unpublished.html", context)


def _published(request: Request, session: Session, review: ReviewView, *, staff: bool) -> Response:
    context = _shared(request, review) | {
        "staff": staff,
        "published_periods": _published_periods(session, review.organization_id),
        "pdf_url": request.url_for("review_pdf", organization_id=review.organization_id, period=review.period).path
        + f"?version={review.version}"
        + ("&edition=client" if review.edition == "client" else ""),
    }
    return render(request, "review_published.html", context)


def _shared(request: Request, review: ReviewView) -> dict[str, Any]:
    view = review.figures
    return {
        "review": review,
        "view": view,
        "key_kpis": [kpi for kpi in view.kpis if kpi.is_key],
        "graded_kpis": [kpi for kpi in view.kpis if kpi.kpi_value is not None],
        "paragraphs": [block.strip() for block in review.summary.split("\n\n") if block.strip()],
        "lines": lambda content: [line.strip().lstrip("-•* ") for line in content.splitlines() if line.strip()],
        "today": date.today(),
    }


def _editor(
    request: Request,
    session: Session,
    principal: Principal,
    review: ReviewView,
    *,
    problems: list[str],
    entered: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    goals = [
        {"subject_name": goal.subject_name, "target_value": str(goal.target_value), "note": goal.note or ""}
        for goal in review.goals.next_period
    ] + [{"subject_name": "", "target_value": "", "note": ""}] * BLANK_GOAL_ROWS
    context = _shared(request, review) | {
        "nav": "overview",
        "can_edit": principal.has_role("editor") and not principal.is_scoped,
        "problems": problems,
        "form": entered or {"summary": review.summary, "highlights": review.highlights, "concerns": review.concerns},
        "goal_rows": entered["goals"] if entered else goals,
        "subjects": sorted(name for name, _, _ in subject_units(session).values()),
        "all_recommendations": list_recommendations(session, review.organization_id),
        "priorities": PRIORITIES,
        "statuses": RECOMMENDATION_STATUSES,
        "figures_url": request.url_for(
            "organization_qbr", organization_id=review.organization_id, period=review.period
        ).path,
        "pdf_url": request.url_for("review_pdf", organization_id=review.organization_id, period=review.period).path,
        "next_version": (review.versions[0].version + 1) if review.versions else 1,
    }
    return render(request, "review_editor.html", context, status_code=status_code)


@router.post(
    "/organizations/{organization_id}/reviews/{period}", name="review_save", dependencies=[Depends(verify_csrf)]
)
def save(
    organization_id: int,
    period: str,
    request: Request,
    session: SessionDep,
    principal: PageEditor,
    summary: LongField = "",
    highlights: Text10k = "",
    concerns: Text10k = "",
    goal_subject: Annotated[list[str], Form(max_length=50)] = [],  # noqa: B006 - FastAPI copies defaults
    goal_target: Annotated[list[str], Form(max_length=50)] = [],  # noqa: B006
    goal_note: Annotated[list[str], Form(max_length=50)] = [],  # noqa: B006
) -> Response:
    _organization(session, principal, organization_id)
    _staff_editor(principal)
    value = parse_period(period).value
    rows = [
        {"subject_name": subject.strip(), "target_value": target.strip(), "note": note.strip()}
        for subject, target, note in zip(goal_subject, goal_target, goal_note + [""] * len(goal_subject), strict=False)
    ]
    filled = [row for row in rows if row["subject_name"] or row["target_value"]]
    fields = {"summary": summary, "highlights": highlights, "concerns": concerns}
    goals: list[dict[str, str | None]] = [{**row, "note": row["note"] or None} for row in filled]
    try:
        changes = ReviewUpdate.model_validate({**fields, "goals": goals})
        with session.begin_nested():
            save_review(session, organization_id, value, changes, principal.name)
    except (ValidationError, InvalidInput) as error:
        review = review_for(session, organization_id, value, "internal")
        entered = fields | {"goals": rows}
        return _editor(request, session, principal, review, problems=_problems(error), entered=entered, status_code=422)
    flash(request, "Saved the review. It is a draft until you publish it.")
    return RedirectResponse(review_url(request, organization_id, value), status_code=303)


def _problems(error: ValidationError | InvalidInput | Conflict) -> list[str]:
    if isinstance(error, ValidationError):
        return [f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors()]
    if isinstance(error, InvalidInput):
        return [str(problem) for problem in error.problems] or [str(error)]
    return [str(error)]


@router.post(
    "/organizations/{organization_id}/reviews/{period}/publish",
    name="review_publish",
    dependencies=[Depends(verify_csrf)],
)
def publish(
    organization_id: int, period: str, request: Request, session: SessionDep, principal: PageEditor
) -> Response:
    _organization(session, principal, organization_id)
    _staff_editor(principal)
    value = parse_period(period).value
    version = publish_review(session, organization_id, value, principal.name)
    flash(request, f"Published version {version.version}: the client sees it from now on.")
    return RedirectResponse(review_url(request, organization_id, value), status_code=303)


@router.post(
    "/organizations/{organization_id}/recommendations", name="recommendation_add", dependencies=[Depends(verify_csrf)]
)
def add(
    organization_id: int,
    request: Request,
    session: SessionDep,
    principal: PageEditor,
    period: Annotated[str, Form(max_length=7)],
    title: Annotated[str, Form(max_length=200)] = "",
    detail: Text10k = "",
    category: Annotated[str, Form(max_length=50)] = "",
    priority: Annotated[str, Form(max_length=20)] = "medium",
    one_time_cost: Annotated[str, Form(max_length=20)] = "",
    monthly_cost: Annotated[str, Form(max_length=20)] = "",
    target_period: Annotated[str, Form(max_length=7)] = "",
) -> Response:
    _organization(session, principal, organization_id)
    _staff_editor(principal)
    value = parse_period(period).value
    fields = {
        "title": title,
        "detail": detail,
        "category": category,
        "priority": priority,
        "one_time_cost": one_time_cost,
        "monthly_cost": monthly_cost,
        "target_period": target_period,
    }
    sent = {name: text.strip() for name, text in fields.items() if text.strip()}
    try:
        body = RecommendationCreate.model_validate(sent | {"raised_in": value})
        with session.begin_nested():
            row = add_recommendation(session, organization_id, body)
    except (ValidationError, InvalidInput) as error:
        flash(request, "The recommendation was not added: " + "; ".join(_problems(error)), "error")
        return RedirectResponse(review_url(request, organization_id, value) + "#recommendations", status_code=303)
    flash(request, f"Added the recommendation “{row.title}”.")
    return RedirectResponse(review_url(request, organization_id, value) + "#recommendations", status_code=303)


@router.post(
    "/organizations/{organization_id}/recommendations/{recommendation_id}",
    name="recommendation_change",
    dependencies=[Depends(verify_csrf)],
)
def change(
    organization_id: int,
    recommendation_id: int,
    request: Request,
    session: SessionDep,
    principal: PageEditor,
    period: Annotated[str, Form(max_length=7)],
    status: Annotated[str, Form(max_length=20)],
    priority: Annotated[str, Form(max_length=20)],
    target_period: Annotated[str, Form(max_length=7)] = "",
    # The full edit form sends every field (``full_edit``): there an empty field is cleared.
    full_edit: Annotated[bool, Form()] = False,
    title: Annotated[str, Form(max_length=200)] = "",
    detail: Text10k = "",
    category: Annotated[str, Form(max_length=50)] = "",
    one_time_cost: Annotated[str, Form(max_length=20)] = "",
    monthly_cost: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    _organization(session, principal, organization_id)
    _staff_editor(principal)
    value = parse_period(period).value
    row = get_recommendation(session, organization_id, recommendation_id)
    fields: dict[str, str | None] = {
        "status": status,
        "priority": priority,
        "target_period": target_period.strip() or None,
    }
    optional = {
        "title": title,
        "detail": detail,
        "category": category,
        "one_time_cost": one_time_cost,
        "monthly_cost": monthly_cost,
    }
    if full_edit:
        fields |= {name: text.strip() or None for name, text in optional.items()}
    try:
        body = RecommendationUpdate.model_validate(fields)
        with session.begin_nested():
            change_recommendation(session, row, body)
    except (ValidationError, InvalidInput) as error:
        flash(request, "The recommendation was not changed: " + "; ".join(_problems(error)), "error")
    else:
        flash(request, f"Saved “{row.title}”: {row.status.replace('_', ' ')}.")
    return RedirectResponse(review_url(request, organization_id, value) + "#recommendations", status_code=303)


@router.post(
    "/organizations/{organization_id}/recommendations/{recommendation_id}/delete",
    name="recommendation_delete",
    dependencies=[Depends(verify_csrf)],
)
def delete(
    organization_id: int,
    recommendation_id: int,
    request: Request,
    session: SessionDep,
    principal: PageEditor,
    period: Annotated[str, Form(max_length=7)],
) -> Response:
    _organization(session, principal, organization_id)
    _staff_editor(principal)
    value = parse_period(period).value
    row = get_recommendation(session, organization_id, recommendation_id)
    title = row.title
    delete_recommendation(session, row)
    flash(request, f"Deleted “{title}”; published versions keep it as they showed it.")
    return RedirectResponse(review_url(request, organization_id, value) + "#recommendations", status_code=303)
