"""Checking an uploaded logo once, on upload: Pillow must verify it and reportlab must be able to draw it."""

from __future__ import annotations

from io import BytesIO

from PIL import Image, UnidentifiedImageError
from reportlab.lib.utils import ImageReader

from qbr.errors import InvalidInput

MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_PIXELS = 4000
CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
ACCEPTED = "a PNG or JPEG image of at most 1 MiB and 4000×4000 pixels"


def checked_logo(data: bytes, *, location: str = "logo") -> str:
    """The logo's content type when it is a complete PNG or JPEG that the PDF can draw; a clear refusal otherwise."""
    if not data:
        raise InvalidInput.single(location, "the file is empty", ACCEPTED)
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidInput.single(location, f"the file has {len(data)} bytes", ACCEPTED)
    try:
        with Image.open(BytesIO(data)) as probe:
            image_format = probe.format or ""
            probe.verify()  # reads the whole file: a truncated or corrupt image fails here
        with Image.open(BytesIO(data)) as image:
            width, height = image.size
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput.single(location, f"the file is not a readable image ({exc})", ACCEPTED) from exc
    if image_format not in CONTENT_TYPES:
        raise InvalidInput.single(location, f"the image is {image_format or 'of an unknown format'}", ACCEPTED)
    if width > MAX_LOGO_PIXELS or height > MAX_LOGO_PIXELS:
        raise InvalidInput.single(location, f"the image is {width}×{height} pixels", ACCEPTED)
    try:
        # What the PDF does with it at report time, done now so a bad file never reaches a report.
        ImageReader(BytesIO(data)).getRGBData()  # type: ignore[no-untyped-call]
    except Exception as exc:
        raise InvalidInput.single(location, f"the report cannot draw this image ({exc})", ACCEPTED) from exc
    return CONTENT_TYPES[image_format]
