"""WCAG 2.x contrast: colours as ``#rrggbb``, relative luminance, and the contrast ratio of two colours."""

from __future__ import annotations

import re

from qbr.errors import InvalidInput

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
# WCAG 2.x level AA for normal-size text.
AA_TEXT_RATIO = 4.5


def parse_colour(value: str, *, location: str) -> tuple[int, int, int]:
    """``#1f4e79`` as (31, 78, 121); anything else is refused with where and what is accepted."""
    text = value.strip()
    if not HEX_COLOUR.match(text):
        raise InvalidInput.single(location, f"{value!r} is not a colour", "six hexadecimal digits, e.g. #1f4e79")
    return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)


def _channel(value: int) -> float:
    # The sRGB transfer function of WCAG 2.x's definition of relative luminance.
    scaled = value / 255
    return scaled / 12.92 if scaled <= 0.04045 else ((scaled + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    red, green, blue = (_channel(part) for part in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours, from 1.0 (same) to 21.0 (black on white)."""
    lighter, darker = sorted(
        (
            relative_luminance(parse_colour(first, location="colour")),
            relative_luminance(parse_colour(second, location="colour")),
        ),
        reverse=True,
    )
    return (lighter + 0.05) / (darker + 0.05)


def require_text_contrast(colour: str, *, against: str = WHITE, location: str) -> str:
    """``colour`` normalised to lower case if text and it reach AA contrast; otherwise a clear refusal."""
    parse_colour(colour, location=location)
    ratio = contrast_ratio(colour, against)
    if ratio < AA_TEXT_RATIO:
        raise InvalidInput.single(
            location,
            f"{colour} against {against} has a contrast ratio of {ratio:.2f}:1, too low to read text on",
            f"a darker colour reaching {AA_TEXT_RATIO}:1 (WCAG AA), e.g. #1f4e79",
        )
    return colour.strip().lower()
