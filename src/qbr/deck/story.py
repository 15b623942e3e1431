"""What a deck says besides the figures: the review's text, recommendations and goals, in a shape of its own.

The deck does not read review tables itself; whoever builds a deck (CLI, page, e-mail) fills a ``DeckStory`` from
the published review, or leaves it empty, in which case the deck drafts its summary from the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class DeckRecommendation:
    title: str
    priority: str
    status: str
    target_quarter: str | None
    one_time_cost: Decimal | None
    monthly_cost: Decimal | None


@dataclass(frozen=True)
class DeckStory:
    summary: str = ""
    highlights: list[str] = field(default_factory=list)
    concerns: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    recommendations: list[DeckRecommendation] = field(default_factory=list)
    version_label: str = ""  # e.g. "published version 2, 3 January 2026"
