"""The brand settings page (unscoped admins), and the brand's stylesheet and logo every page links to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from starlette.responses import RedirectResponse, Response

from qbr.api.deps import SessionDep
from qbr.branding.logo import MAX_LOGO_BYTES
from qbr.branding.service import Brand, BrandChanges, current_brand, save_brand
from qbr.errors import InvalidInput, NotFound
from qbr.web.csrf import verify_csrf
from qbr.web.deps import PageAdmin
from qbr.web.session import flash
from qbr.web.templating import render

router = APIRouter()
# Addresses carry the brand's version, so a year of caching is safe: a new brand is a new address.
LONG_CACHE = "public, max-age=31536000, immutable"


def brand_stylesheet(brand: Brand) -> str:
    """The CSS variables the stylesheet's colours are built from, set to the brand's (checked) colours."""
    return (
        ":root {\n"
        f"  --brand: {brand.primary_colour};\n"
        f"  --accent: {brand.accent_colour};\n"
        f"  --link: {brand.accent_colour};\n"
        "}\n"
    )


# ``?v=`` carries the brand's version; only its presence matters (a new brand is a new address).
VersionParam = Annotated[str, Query(max_length=40, description="The brand's version, for caching.")]


@router.get("/branding/brand.css", name="brand_css")
def brand_css(request: Request, session: SessionDep, v: VersionParam = "") -> Response:
    brand = current_brand(session, request.app.state.settings, with_logo=False)
    return Response(brand_stylesheet(brand), media_type="text/css", headers={"Cache-Control": LONG_CACHE})


@router.get("/branding/logo", name="msp_logo")
def msp_logo(request: Request, session: SessionDep, v: VersionParam = "") -> Response:
    """The logo (public, like the sign-in page: share links and e-mails show it to people without an account)."""
    brand = current_brand(session, request.app.state.settings)
    if brand.logo is None or brand.logo_content_type is None:
        raise NotFound("no logo is set: upload one on the brand settings page or set QBR_MSP_LOGO_PATH")
    return Response(brand.logo, media_type=brand.logo_content_type, headers={"Cache-Control": LONG_CACHE})


@router.get("/settings/brand", name="brand_settings")
def brand_form(request: Request, session: SessionDep, principal: PageAdmin) -> Response:
    return _form(request, current_brand(session, request.app.state.settings, with_logo=False), problems=[])


@router.post("/settings/brand", dependencies=[Depends(verify_csrf)])
async def save(
    request: Request,
    session: SessionDep,
    principal: PageAdmin,
    msp_name: Annotated[str, Form(max_length=200)] = "",
    primary_colour: Annotated[str, Form(max_length=20)] = "",
    accent_colour: Annotated[str, Form(max_length=20)] = "",
    contact_line: Annotated[str, Form(max_length=300)] = "",
    footer_text: Annotated[str, Form(max_length=300)] = "",
    remove_logo: Annotated[bool, Form()] = False,
    logo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    data = await logo.read(MAX_LOGO_BYTES + 1) if logo is not None and logo.filename else None
    changes = BrandChanges(
        msp_name=msp_name,
        primary_colour=primary_colour,
        accent_colour=accent_colour,
        contact_line=contact_line,
        footer_text=footer_text,
        logo=data,
        remove_logo=remove_logo,
    )
    try:
        with session.begin_nested():
            save_brand(session, changes, by=principal.name)
    except InvalidInput as error:
        typed = Brand(
            msp_name=msp_name,
            primary_colour=primary_colour,
            accent_colour=accent_colour,
            contact_line=contact_line,
            footer_text=footer_text,
        )
        return _form(request, typed, problems=[str(p) for p in error.problems], status_code=422)
    flash(request, "Saved the brand; pages, reports, decks and e-mails use it from now on.")
    return RedirectResponse(request.url_for("brand_settings").path, status_code=303)


def _form(request: Request, brand: Brand, *, problems: list[str], status_code: int = 200) -> Response:
    context = {"nav": "brand", "brand": brand, "problems": problems}
    return render(request, "brand_settings.html", context, status_code=status_code)
