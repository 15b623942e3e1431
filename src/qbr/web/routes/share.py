"""Share links, opened without an account: exactly the client edition of one published review version (page and
PDF), never indexed or cached; an unknown, expired or revoked link is a friendly 404, and guessing is rate-limited."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from qbr.api.deps import SessionDep
from qbr.branding.service import current_brand
from qbr.core.database import unit_of_work
from qbr.organizations.models import Organization
from qbr.reports.review_deck import render_review_pdf
from qbr.reviews.models import ReviewVersion
from qbr.reviews.reading import review_for, review_glossary
from qbr.reviews.schemas import Edition, ReviewView
from qbr.sharing.models import ShareLink
from qbr.sharing.service import open_share_link, record_opening
from qbr.web.routes.organization import attachment
from qbr.web.routes.reviews import _shared  # the published review page's context, shared on purpose
from qbr.web.templating import render

router = APIRouter()
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


def _client_key(request: Request) -> tuple[str, ...]:
    return ("share-link", request.client.host if request.client else "unknown")


def _resolve(request: Request, session: SessionDep, token: str) -> tuple[ShareLink, ReviewVersion] | None:
    """The link and its version; a miss counts against the client (share links are credentials)."""
    limiter = request.app.state.auth_limiter
    limiter.check(_client_key(request))
    found = open_share_link(session, token)
    if found is None:
        limiter.record_failure(_client_key(request))
    return found


def _review(session: SessionDep, version: ReviewVersion, *, is_msp: bool) -> ReviewView:
    # The MSP's own review is always internal; every client reads its client edition. Nothing else is listed.
    edition: Edition = "internal" if is_msp else "client"
    review = review_for(session, version.organization_id, version.period, edition, version=version.version)
    return review.model_copy(update={"versions": []})


def _log(request: Request, link: ShareLink, what: str) -> None:
    # Its own unit of work: the page is read in a read-only snapshot, the opening is a write.
    with unit_of_work(request.app.state.engine) as session:
        record_opening(
            session,
            link.id,
            what=what,
            client_address=request.client.host if request.client else None,
            user_agent=request.headers.get("user-agent"),
        )


def _gone(request: Request) -> Response:
    return render(request, "share_gone.html", {"noindex": True}, status_code=404, headers=PRIVATE)


@router.get("/share/{token}.pdf", name="share_pdf")
def share_pdf(token: str, request: Request, session: SessionDep) -> Response:
    found = _resolve(request, session, token)
    if found is None:
        return _gone(request)
    link, version = found
    review = _review(session, version, is_msp=_is_msp(session, link))
    brand = current_brand(session, request.app.state.settings)
    content = render_review_pdf(review, brand=brand, glossary=review_glossary(session))
    _log(request, link, "pdf")
    filename = f"QBR {review.organization_name} {review.period}.pdf"
    return Response(
        content, media_type="application/pdf", headers=PRIVATE | {"Content-Disposition": attachment(filename)}
    )


@router.get("/share/{token}", name="share_page")
def share_page(token: str, request: Request, session: SessionDep) -> Response:
    found = _resolve(request, session, token)
    if found is None:
        return _gone(request)
    link, version = found
    review = _review(session, version, is_msp=_is_msp(session, link))
    _log(request, link, "page")
    context = _shared(request, review) | {
        "noindex": True,
        "staff": False,
        "published_periods": [],
        "pdf_url": request.url_for("share_pdf", token=token).path,
    }
    return render(request, "review_published.html", context, headers=PRIVATE)


def _is_msp(session: SessionDep, link: ShareLink) -> bool:
    organization = session.get(Organization, link.organization_id)
    return organization is not None and organization.is_msp
