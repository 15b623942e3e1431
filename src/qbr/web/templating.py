"""The Jinja2 environment of the pages and the print view, and ``render``, which every page answers with.

Templates come from the package, autoescaped; value, change and status helpers are the same functions the PDF
uses, so a number reads identically on screen and on paper.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from qbr import __version__
from qbr.branding.service import Brand, current_brand
from qbr.presentation.figures import partial_title
from qbr.presentation.periods import day_text, moment_text, period_title
from qbr.presentation.ranges import range_text
from qbr.presentation.status import status_style
from qbr.presentation.values import describe_change, format_number, format_value
from qbr.reports.shown import (
    INTERNAL_HINT,
    INTERNAL_MARK,
    change,
    figure_text,
    is_internal_item,
    value_note,
    value_text,
)
from qbr.reports.trends import item_status
from qbr.web.csrf import csrf_field
from qbr.web.session import pop_flashes

DIRECTION_TEXT = {"higher_is_better": "Higher is better", "lower_is_better": "Lower is better"}


def direction_text(direction: str | None) -> str:
    return DIRECTION_TEXT.get(direction or "", "No direction")


def make_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("qbr.web", "templates"),
        autoescape=select_autoescape(["html"]),
        # A misspelt variable fails the page's tests instead of rendering as an empty string.
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["value"] = format_value
    environment.filters["number"] = format_number
    environment.globals.update(
        status_style=status_style,
        describe_change=describe_change,
        period_title=period_title,
        day_text=day_text,
        direction_text=direction_text,
        item_status=item_status,
        partial_title=partial_title,
        value_text=value_text,
        figure_text=figure_text,
        value_note=value_note,
        range_text=range_text,
        item_change=change,
        is_internal_item=is_internal_item,
        INTERNAL_MARK=INTERNAL_MARK,
        INTERNAL_HINT=INTERNAL_HINT,
    )
    return environment


def page_brand(request: Request) -> Brand:
    """The brand of this request's page, read once (without the logo itself: pages link to it)."""
    brand = getattr(request.state, "brand", None)
    if not isinstance(brand, Brand):
        with request.app.state.sessions.lookup() as session:
            brand = current_brand(session, request.app.state.settings, with_logo=False)
        request.state.brand = brand
    return brand


def _request_context(request: Request) -> dict[str, Any]:
    """What every page's layout needs: the MSP's name, the signed-in principal, the CSRF field, messages."""
    settings = request.app.state.settings

    def static_url(path: str) -> str:
        # The version in the query string makes browsers fetch the new stylesheet after an upgrade.
        return f"{request.url_for('static', path=path).path}?v={__version__}"

    def url_for(name: str, /, **path_params: Any) -> str:
        # Paths, not absolute URLs: the app may sit behind a proxy that knows its public host better.
        return request.url_for(name, **path_params).path

    brand = page_brand(request)
    return {
        "url_for": url_for,
        "local_time": lambda moment: moment_text(moment, settings.business_timezone),
        "msp_name": brand.msp_name,
        "brand": brand,
        "static_url": static_url,
        "csrf_field": lambda: csrf_field(request),
        "principal": getattr(request.state, "page_principal", None),
        "msp_visible": getattr(request.state, "msp_organization_id", None) is not None,
        "flashes": pop_flashes(request),
        "nav": None,
    }


templates = Jinja2Templates(env=make_environment())


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    # The page's own context wins over the defaults (a page sets ``nav``, for instance).
    full_context = {**_request_context(request), **(context or {})}
    # Pages show private figures: no browser or shared cache may keep them, so Back after sign-out shows nothing.
    page_headers = {"Cache-Control": "no-store", **(headers or {})}
    response: HTMLResponse = templates.TemplateResponse(
        request, name, full_context, status_code=status_code, headers=page_headers
    )
    return response
