"""The demo's QBR story: reviews (published, republished and draft), goals, and recommendations in every status.

A newcomer opening the demo sees the whole cycle at once: last quarter's review published to the client, the one
before it with goals now judged, recommendations carried from review to review with a budgeted roadmap. Loading
it again changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.periods.calendar import PeriodRef
from qbr.reviews.models import Recommendation
from qbr.reviews.recommendations import add_recommendation
from qbr.reviews.repository import find_review
from qbr.reviews.schemas import GoalIn, RecommendationCreate, ReviewUpdate
from qbr.reviews.service import publish_review, save_review

ACCOUNT_MANAGER = "Dana Reyes (account manager)"
REVIEWED_CLIENTS = 3


@dataclass(frozen=True)
class DemoRecommendation:
    title: str
    detail: str
    category: str
    priority: str
    status: str
    one_time_cost: str | None
    monthly_cost: str | None
    target_step: int | None  # quarters after the last complete one; None: no target quarter
    raised_step: int  # quarters before the last complete one it was raised in


RECOMMENDATIONS = (
    DemoRecommendation(
        "Replace the end-of-life firewall",
        "The firewall's vendor support ends next year; a current model keeps security updates coming.",
        "Security",
        "high",
        "approved",
        "4200",
        "85",
        1,
        1,
    ),
    DemoRecommendation(
        "Roll out multi-factor authentication to every user",
        "Most account takeovers start with a stolen password; a second factor stops them.",
        "Security",
        "high",
        "in_progress",
        "1500",
        "6",
        1,
        1,
    ),
    DemoRecommendation(
        "Refresh the 14 laptops older than five years",
        "Old laptops cause a large share of the reactive tickets and slow people down.",
        "Hardware",
        "medium",
        "proposed",
        "16800",
        None,
        2,
        0,
    ),
    DemoRecommendation(
        "Move file shares to cloud storage with versioning",
        "Retires the ageing file server and makes restores self-service.",
        "Infrastructure",
        "medium",
        "proposed",
        "3000",
        "120",
        3,
        0,
    ),
    DemoRecommendation(
        "Security awareness training each quarter",
        "Short sessions and simulated phishing keep staff alert.",
        "Training",
        "low",
        "proposed",
        None,
        "150",
        None,
        0,
    ),
    DemoRecommendation(
        "Offsite backup copy for the accounting server",
        "A second copy outside the office protects against fire, theft and ransomware.",
        "Backup",
        "high",
        "done",
        "900",
        "45",
        None,
        1,
    ),
    DemoRecommendation(
        "Replace the phone system",
        "The client chose to keep the current system for another year.",
        "Telephony",
        "low",
        "declined",
        "7500",
        "210",
        None,
        1,
    ),
)

GOALS = (
    GoalIn(subject_name="Patch Compliance %", target_value=Decimal("97"), note="Every device patched within 30 days."),
    GoalIn(subject_name="RHEM", target_value=Decimal("0.30"), note="Fewer reactive hours per endpoint."),
)


def load_demo_reviews(session: Session, client_ids: Sequence[int], last_quarter: PeriodRef) -> None:
    """Recommendations and reviews for the first few clients; what exists already is left as it is."""
    for position, organization_id in enumerate(client_ids[:REVIEWED_CLIENTS]):
        _recommendations(session, organization_id, last_quarter)
        earlier = last_quarter.previous().value
        if position < 2 and find_review(session, organization_id, earlier) is None:
            save_review(session, organization_id, earlier, ReviewUpdate(goals=list(GOALS)), ACCOUNT_MANAGER)
            publish_review(session, organization_id, earlier, ACCOUNT_MANAGER)
        current = last_quarter.value
        if find_review(session, organization_id, current) is not None:
            continue
        highlights = "Backups succeeded every night.\nThe firewall replacement was approved."
        concerns = "Two laptops failed this quarter and were replaced under warranty."
        changes = ReviewUpdate(highlights=highlights, concerns=concerns, goals=list(GOALS))
        save_review(session, organization_id, current, changes, ACCOUNT_MANAGER)
        if position == 0:
            publish_review(session, organization_id, current, ACCOUNT_MANAGER)
            # Edited after publishing: the client still sees version 1, the staff see a draft to publish again.
            save_review(
                session,
                organization_id,
                current,
                ReviewUpdate(concerns=concerns + "\nThe office move is planned for next quarter."),
                ACCOUNT_MANAGER,
            )


def _recommendations(session: Session, organization_id: int, last_quarter: PeriodRef) -> None:
    if session.scalar(select(Recommendation.id).where(Recommendation.organization_id == organization_id).limit(1)):
        return
    for item in RECOMMENDATIONS:
        body = RecommendationCreate.model_validate(
            {
                "title": item.title,
                "detail": item.detail,
                "category": item.category,
                "priority": item.priority,
                "status": item.status,
                "one_time_cost": Decimal(item.one_time_cost) if item.one_time_cost else None,
                "monthly_cost": Decimal(item.monthly_cost) if item.monthly_cost else None,
                "target_period": last_quarter.shift(item.target_step).value if item.target_step is not None else None,
                "raised_in": last_quarter.shift(-item.raised_step).value,
            }
        )
        row = add_recommendation(session, organization_id, body)
        if item.status == "done":
            row.completed_in = last_quarter.value
