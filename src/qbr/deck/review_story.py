"""A review (in the reader's edition) as what the deck tells: its text, open recommendations and next goals."""

from __future__ import annotations

from decimal import Decimal

from qbr.deck.story import DeckRecommendation, DeckStory
from qbr.presentation.periods import day_text
from qbr.presentation.values import format_value
from qbr.reviews.schemas import ReviewView

STATUS_WORDS = {"proposed": "Proposed", "approved": "Approved", "in_progress": "In progress", "done": "Done"}


def _lines(text: str) -> list[str]:
    return [line.strip().lstrip("•-* ").strip() for line in text.splitlines() if line.strip()]


def _amount(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def review_story(review: ReviewView) -> DeckStory:
    shown = review.recommendations
    recommendations = [
        DeckRecommendation(
            title=item.title,
            priority=item.priority.capitalize(),
            status=STATUS_WORDS.get(item.status, item.status),
            target_quarter=item.target_period,
            one_time_cost=_amount(item.one_time_cost),
            monthly_cost=_amount(item.monthly_cost),
        )
        for item in shown.open
    ]
    goals = [
        f"{goal.subject_name}: {format_value(goal.target_value, goal.unit)}" + (f" ({goal.note})" if goal.note else "")
        for goal in review.goals.next_period
    ]
    if review.version is not None and review.published_at is not None:
        label = f"Version {review.version}, published {day_text(review.published_at.date(), long=True)}"
    else:
        label = "Draft, not yet published"
    return DeckStory(
        summary=review.summary,
        highlights=_lines(review.highlights),
        concerns=_lines(review.concerns),
        goals=goals,
        recommendations=recommendations,
        version_label=label,
    )
