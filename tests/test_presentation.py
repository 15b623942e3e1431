"""Numbers, changes and statuses as people read them, identical on the pages and in the PDF."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qbr.presentation.status import STATUS_STYLES, severity, shown_status, status_style
from qbr.presentation.values import describe_change, format_axis_value, format_number, format_value


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal("48250.40"), "currency", "$48,250"),
        (Decimal("112.5"), "currency", "$112.50"),
        (Decimal("-1234.56"), "currency", "-$1,235"),
        (Decimal("95.24"), "percent", "95.24%"),
        (Decimal("100.00"), "percent", "100%"),
        (0.31, "hours", "0.31 h"),
        (Decimal("2.5"), "days", "2.50 d"),
        (1204, "count", "1,204"),
        (Decimal("8.50"), "count", "8.50"),
        (None, "currency", "—"),
    ],
)
def test_format_value(value: Decimal | float | int | None, unit: str, expected: str) -> None:
    assert format_value(value, unit) == expected


def test_format_value_rounds_half_up_like_the_database() -> None:
    assert format_number(Decimal("0.125")) == "0.13"
    assert format_value(Decimal("999.995"), "currency") == "$1,000.00"


@pytest.mark.parametrize(
    ("value", "unit", "step", "expected"),
    [
        (1_500_000.0, "currency", 500_000.0, "$1.5M"),
        (45_000.0, "currency", 5_000.0, "$45k"),
        (-20_000.0, "currency", 10_000.0, "-$20k"),
        (95.0, "percent", 2.5, "95.0%"),
        (0.25, "hours", 0.05, "0.25 h"),
        (12.0, "count", 2.0, "12"),
    ],
)
def test_axis_labels_are_short_and_just_precise_enough(value: float, unit: str, step: float, expected: str) -> None:
    assert format_axis_value(value, unit, step) == expected


def test_change_says_whether_it_is_good_news_given_the_direction() -> None:
    up_good = describe_change(Decimal("12.46"), "higher_is_better", versus="2024-Q4")
    assert (up_good.text, up_good.arrow, up_good.verdict) == ("+12.5%", "▲", "better")
    assert up_good.description == "up 12.5% vs 2024-Q4 (better)"
    up_bad = describe_change(12.46, "lower_is_better", versus="2024-Q4")
    assert up_bad.verdict == "worse"
    down_bad = describe_change(-3, "higher_is_better", versus="a year ago")
    assert (down_bad.text, down_bad.arrow, down_bad.verdict) == ("-3.0%", "▼", "worse")
    assert describe_change(5, None, versus="x").verdict == "neutral"
    assert describe_change(0, "higher_is_better", versus="x").verdict == "same"
    missing = describe_change(None, "higher_is_better", versus="2024-Q4")
    assert (missing.text, missing.verdict) == ("—", "neutral")


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("status", list(STATUS_STYLES))
def test_status_colours_pass_wcag_aa_and_never_stand_alone(status: str) -> None:
    style = STATUS_STYLES[status]
    assert _contrast(style.ink, style.tint) >= 4.5
    assert _contrast(style.ink, "#ffffff") >= 4.5
    # Colour is never the only cue: a word and a symbol or shape go with it.
    assert style.label
    assert style.symbol
    assert len({s.marker for s in STATUS_STYLES.values()}) == len(STATUS_STYLES)


def test_statuses_sort_worst_first_and_unknown_means_no_data() -> None:
    assert sorted(["ok", None, "critical", "warning"], key=severity) == ["critical", "warning", "ok", None]
    assert status_style("something else").label == "No data"


def test_a_value_with_no_threshold_is_shown_as_having_no_target() -> None:
    assert shown_status("ok", None, None) == "ungraded"
    assert status_style("ungraded").label == "No target"
    assert shown_status("ok", Decimal(1), None) == "ok"
    assert shown_status("no_data", None, None) == "no_data"
    assert shown_status(None, None, None) == "no_data"
    assert shown_status("critical", None, Decimal(2)) == "critical"
