"""Publishing freezes a review: later data changes never alter a version; staff see what changed; clients see
published versions only. Also the review's recommendation sections and goals, on both databases."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from qbr.errors import NotFound
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.reviews.models import Recommendation
from qbr.reviews.reading import review_for
from qbr.reviews.recommendations import add_recommendation, change_recommendation, review_recommendations
from qbr.reviews.schemas import GoalIn, RecommendationCreate, RecommendationUpdate, ReviewUpdate
from qbr.reviews.service import (
    goal_result,
    newest_published_version,
    publish_review,
    review_versions,
    save_review,
)
from tests.dashboard_support import QUARTER, seed_qbr_data


def _frozen(session: Session, organization_id: int, version: int) -> str:
    review = review_for(session, organization_id, QUARTER, "internal", version=version)
    # Everything but the list of versions, which grows when the review is published again.
    return review.model_dump_json(exclude={"versions"})


def test_a_published_version_never_changes_with_the_data(session: Session) -> None:
    data = seed_qbr_data(session)
    save_review(session, data.acme, QUARTER, ReviewUpdate(summary="As presented."), "ada")
    first = publish_review(session, data.acme, QUARTER, "ada")
    before = _frozen(session, data.acme, 1)
    figures_before = json.dumps(first.figures, sort_keys=True)

    ingest_metrics(session, [MetricInput(data.acme, "2025-03", "Reactive Hours", Decimal(999), "Manual")])
    save_review(session, data.acme, QUARTER, ReviewUpdate(summary="Rewritten afterwards."), "ada")

    assert _frozen(session, data.acme, 1) == before
    assert json.dumps(first.figures, sort_keys=True) == figures_before
    live = review_for(session, data.acme, QUARTER, "internal")
    assert live.status == "draft"
    changed = {change.name: change for change in live.changes_since_publication or []}
    assert {"Reactive Hours", "RHEM"} <= set(changed)
    frozen_rhem = next(kpi for kpi in first.figures["kpis"] if kpi["kpi_name"] == "RHEM")
    assert float(changed["RHEM"].published_value or 0) == frozen_rhem["kpi_value"]
    assert changed["RHEM"].current_value != changed["RHEM"].published_value

    second = publish_review(session, data.acme, QUARTER, "bob")
    assert (second.version, second.summary, second.published_by) == (2, "Rewritten afterwards.", "bob")
    assert [version.version for version in review_versions(session, data.acme, QUARTER)] == [2, 1]
    assert review_for(session, data.acme, QUARTER, "internal").changes_since_publication == []
    assert _frozen(session, data.acme, 1) == before


def test_a_client_sees_only_published_versions(session: Session) -> None:
    data = seed_qbr_data(session)
    save_review(session, data.acme, QUARTER, ReviewUpdate(summary="Not ready."), "ada")
    with pytest.raises(NotFound, match="has not been published yet"):
        review_for(session, data.acme, QUARTER, "client")
    save_review(session, data.acme, QUARTER, ReviewUpdate(summary="Ready."), "ada")
    publish_review(session, data.acme, QUARTER, "ada")
    save_review(session, data.acme, QUARTER, ReviewUpdate(summary="Next draft."), "ada")
    shown = review_for(session, data.acme, QUARTER, "client")
    assert (shown.summary, shown.version, shown.edition) == ("Ready.", 1, "client")
    assert shown.drafted_summary is None
    assert shown.changes_since_publication is None
    newest = newest_published_version(session, data.acme)
    assert newest is not None
    assert newest.version == 1
    assert newest_published_version(session, data.organization_ids["Globex"]) is None


def test_goals_are_judged_at_the_next_review(session: Session) -> None:
    data = seed_qbr_data(session)
    goals = [
        GoalIn(subject_name="RHEM", target_value=Decimal("0.50")),
        GoalIn(subject_name="Patch Compliance %", target_value=Decimal("99.9")),
    ]
    save_review(session, data.acme, "2024-Q4", ReviewUpdate(goals=goals), "ada")
    judged = {goal.subject_name: goal for goal in review_for(session, data.acme, QUARTER, "internal").goals.previous}
    assert judged["RHEM"].result == "met"  # lower is better, and Acme's RHEM is below 0.50 h
    assert judged["Patch Compliance %"].result == "not_met"
    assert judged["RHEM"].set_in == "2024-Q4"
    assert judged["RHEM"].actual_value is not None


@pytest.mark.parametrize(
    ("actual", "target", "direction", "result"),
    [
        (Decimal("0.3"), Decimal("0.3"), "lower_is_better", "met"),
        (Decimal("0.31"), Decimal("0.3"), "lower_is_better", "not_met"),
        (Decimal("96"), Decimal("95"), "higher_is_better", "met"),
        (Decimal("94"), Decimal("95"), "higher_is_better", "not_met"),
        (Decimal("5"), Decimal("4"), None, "met"),
        (None, Decimal("4"), None, "no_data"),
    ],
)
def test_goal_result(actual: Decimal | None, target: Decimal, direction: str | None, result: str) -> None:
    assert goal_result(actual, target, direction) == result


def test_recommendation_sections_roadmap_and_completed_since_the_last_review(session: Session) -> None:
    data = seed_qbr_data(session)

    def add(title: str, **fields: object) -> int:
        body = RecommendationCreate.model_validate({"title": title, "raised_in": "2024-Q4", **fields})
        return add_recommendation(session, data.acme, body).id

    add("Firewall", one_time_cost=4200, monthly_cost=85, target_period="2025-Q2", status="approved")
    add("MFA", one_time_cost=1500, monthly_cost="6.5", target_period="2025-Q2", status="in_progress")
    add("Laptops", one_time_cost=16800, target_period="2026-Q1")
    add("Too far ahead", one_time_cost=1, target_period="2026-Q2")
    add("Training", monthly_cost=150)
    add("Raised later", raised_in="2025-Q3")
    done_long_ago = add("Old backup fix")
    done_recently = add("Offsite backup")
    add("Phones", status="declined")
    save_review(session, data.acme, "2024-Q4", ReviewUpdate(summary="The previous review."), "ada")
    for row_id, quarter in ((done_long_ago, "2024-Q4"), (done_recently, "2025-Q1")):
        row = session.get(Recommendation, row_id)
        assert row is not None
        change_recommendation(session, row, RecommendationUpdate(status="done", completed_in=quarter))

    sections = review_recommendations(session, data.acme, QUARTER)
    assert {item.title for item in sections.open} == {"Firewall", "MFA", "Laptops", "Too far ahead", "Training"}
    assert [item.title for item in sections.completed] == ["Offsite backup"]
    assert [quarter.period for quarter in sections.roadmap] == ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    q2 = sections.roadmap[0]
    assert {item.title for item in q2.recommendations} == {"Firewall", "MFA"}
    assert (q2.one_time_total, q2.monthly_total) == (Decimal("5700.00"), Decimal("91.50"))
    assert sections.roadmap[1].one_time_total == 0
    assert [item.title for item in sections.unscheduled] == ["Training"]
