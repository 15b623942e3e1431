"""The four grading statuses as people see them: a word, a symbol and colours, so colour is never the only cue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# ``ungraded`` is how a value with no threshold at all is shown: grading calls it ok, but "On target" would claim a
# target that does not exist.
Status = Literal["ok", "warning", "critical", "ungraded", "no_data"]
STATUSES: tuple[Status, ...] = ("critical", "warning", "ok", "ungraded", "no_data")

# Worst first: the order the overview and the executive summary sort by.
SEVERITY: dict[str, int] = {"critical": 0, "warning": 1, "ok": 2, "ungraded": 3, "no_data": 4}


@dataclass(frozen=True)
class StatusStyle:
    """How one status is shown. ``ink`` on ``tint`` and on white both pass WCAG AA (4.5:1) for text."""

    label: str
    symbol: str  # a text glyph for HTML; the PDF draws ``marker`` instead (its core fonts lack these glyphs)
    marker: Literal["circle", "triangle", "square", "dot", "ring"]
    ink: str
    tint: str


STATUS_STYLES: dict[str, StatusStyle] = {
    "ok": StatusStyle("On target", "✓", "circle", "#1a6b34", "#e3f4e8"),
    "warning": StatusStyle("Warning", "▲", "triangle", "#8a5300", "#fff1d6"),
    "critical": StatusStyle("Critical", "■", "square", "#b3261e", "#fde4e1"),
    "ungraded": StatusStyle("No target", "•", "dot", "#4a535e", "#ffffff"),
    "no_data": StatusStyle("No data", "–", "ring", "#545d68", "#eef0f3"),
}


def shown_status(status: str | None, warning: object, critical: object) -> str:
    """The status to show: ``ungraded`` for a value that is fine only because nothing is set to judge it by."""
    if status == "ok" and warning is None and critical is None:
        return "ungraded"
    return status or "no_data"


def status_style(status: str | None) -> StatusStyle:
    """The style of ``status``; anything unknown is shown as having no data rather than failing a page."""
    return STATUS_STYLES.get(status or "no_data", STATUS_STYLES["no_data"])


def severity(status: str | None) -> int:
    return SEVERITY.get(status or "no_data", SEVERITY["no_data"])
