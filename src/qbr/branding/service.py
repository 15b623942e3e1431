"""The brand in force: what the settings page stored, with the environment's values as defaults; and saving it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session, defer

from qbr.branding.contrast import require_text_contrast
from qbr.branding.logo import checked_logo
from qbr.branding.models import BRAND_ROW_ID, BrandSetting
from qbr.core.settings import Settings
from qbr.errors import InvalidInput, Problem

DEFAULT_PRIMARY = "#1f4e79"
DEFAULT_ACCENT = "#1d5a94"
TEXT_LIMITS = {"msp_name": 200, "contact_line": 300, "footer_text": 300}


@dataclass(frozen=True)
class Brand:
    """Everything that makes the output look like the MSP's own."""

    msp_name: str
    primary_colour: str = DEFAULT_PRIMARY
    accent_colour: str = DEFAULT_ACCENT
    contact_line: str = ""
    footer_text: str = ""
    logo: bytes | None = None
    logo_content_type: str | None = None
    has_logo: bool = False  # also when the logo itself was not loaded (pages need only its address)
    # Changes whenever the stored brand does, so browsers fetch the new stylesheet and logo.
    version: str = "default"


def logo_from_path(path: str | None) -> tuple[bytes, str] | None:
    """The QBR_MSP_LOGO_PATH file, checked like an upload; a configured but unreadable file is an error."""
    if not path:
        return None
    try:
        data = Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise InvalidInput.single(
            "QBR_MSP_LOGO_PATH", f"cannot read the logo {path!r}: {exc}", "a readable PNG or JPEG file"
        ) from exc
    return data, checked_logo(data, location=f"QBR_MSP_LOGO_PATH ({path})")


def brand_from_settings(settings: Settings) -> Brand:
    """The brand of the environment alone (QBR_MSP_NAME, QBR_MSP_LOGO_PATH)."""
    found = logo_from_path(settings.msp_logo_path)
    logo, content_type = found if found else (None, None)
    return Brand(msp_name=settings.msp_name, logo=logo, logo_content_type=content_type, has_logo=logo is not None)


def current_brand(session: Session, settings: Settings, *, with_logo: bool = True) -> Brand:
    """The stored brand over the environment's defaults (a field left empty on the settings page keeps its default).

    Pages ask ``with_logo=False``: they link to the logo and need only to know whether there is one.
    """
    row = session.get(BrandSetting, BRAND_ROW_ID, options=[defer(BrandSetting.logo)])
    stored_logo = row is not None and row.logo_content_type is not None
    if not with_logo:
        logo, content_type = None, None
    elif stored_logo and row is not None:
        logo, content_type = row.logo, row.logo_content_type
    else:
        found = logo_from_path(settings.msp_logo_path)
        logo, content_type = found if found else (None, None)
    has_logo = stored_logo or bool(settings.msp_logo_path)
    if row is None:
        return Brand(msp_name=settings.msp_name, logo=logo, logo_content_type=content_type, has_logo=has_logo)
    return Brand(
        msp_name=row.msp_name or settings.msp_name,
        primary_colour=row.primary_colour or DEFAULT_PRIMARY,
        accent_colour=row.accent_colour or DEFAULT_ACCENT,
        contact_line=row.contact_line or "",
        footer_text=row.footer_text or "",
        logo=logo,
        logo_content_type=content_type,
        has_logo=has_logo,
        version=str(int(row.updated_at.timestamp() * 1000)),
    )


@dataclass(frozen=True)
class BrandChanges:
    """What the settings page (or the CLI) submits; an empty text means "use the default"."""

    msp_name: str = ""
    primary_colour: str = ""
    accent_colour: str = ""
    contact_line: str = ""
    footer_text: str = ""
    logo: bytes | None = None  # None keeps the stored logo
    remove_logo: bool = False


def save_brand(session: Session, changes: BrandChanges, *, by: str | None) -> BrandSetting:
    """Validate every field (all problems at once), then store them; nothing is written if anything is wrong."""
    problems: list[Problem] = []
    colours: dict[str, str | None] = {}
    for field_name in ("primary_colour", "accent_colour"):
        value = getattr(changes, field_name).strip()
        try:
            colours[field_name] = require_text_contrast(value, location=field_name) if value else None
        except InvalidInput as error:
            problems.extend(error.problems)
    for field_name, limit in TEXT_LIMITS.items():
        if len(getattr(changes, field_name).strip()) > limit:
            problems.append(Problem(field_name, "is too long", f"at most {limit} characters"))
    content_type = None
    if changes.logo is not None:
        try:
            content_type = checked_logo(changes.logo)
        except InvalidInput as error:
            problems.extend(error.problems)
    if problems:
        raise InvalidInput("the brand was not saved", problems)
    row = session.get(BrandSetting, BRAND_ROW_ID)
    if row is None:
        row = BrandSetting(id=BRAND_ROW_ID, updated_at=datetime.now(UTC))
        session.add(row)
    row.msp_name = changes.msp_name.strip() or None
    row.primary_colour = colours["primary_colour"]
    row.accent_colour = colours["accent_colour"]
    row.contact_line = changes.contact_line.strip() or None
    row.footer_text = changes.footer_text.strip() or None
    if changes.remove_logo:
        row.logo, row.logo_content_type = None, None  # the content type alone says whether a logo is stored
    elif changes.logo is not None:
        row.logo, row.logo_content_type = changes.logo, content_type
    row.updated_at = datetime.now(UTC)
    row.updated_by = by
    session.flush()
    return row
