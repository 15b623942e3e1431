"""Reviews: the draft drafted from the data, the account manager's edits, publishing, and what a reader is shown.

The live review (staff) is the stored text over today's figures; a published version (what clients see) is frozen:
its text, goals, recommendations and the figures as they stood. Nothing here commits: the caller's unit of work
does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.catalog import LOWER
from qbr.core.numbers import AMOUNT_ACCEPTED, AmountError, parse_amount
from qbr.dashboard.forecasts import with_forecasts
from qbr.dashboard.schemas import DashboardView, Status
from qbr.dashboard.service import build_dashboard
from qbr.errors import InvalidInput, NotFound
from qbr.metrics.models import KpiDefinition, MetricDefinition
from qbr.organizations.models import Organization
from qbr.periods.calendar import parse_period
from qbr.periods.service import ensure_periods
from qbr.reviews.drafting import draft_summary, may_cross_a_threshold
from qbr.reviews.edition import drafted_from
from qbr.reviews.models import Review, ReviewGoal, ReviewVersion
from qbr.reviews.recommendations import review_recommendations
from qbr.reviews.repository import find_review, goals_of, next_version_number, previous_review, versions_of
from qbr.reviews.schemas import (
    FigureChange,
    FrozenGoals,
    FrozenRecommendations,
    GoalResult,
    GoalVerdict,
    GoalView,
    ReviewUpdate,
    ReviewView,
    VersionSummary,
)


def drafted_summary(view: DashboardView) -> str:
    """The machine's summary of ``view``, with the KPIs forecast to cross a threshold next period: the forecasts
    are fitted here from the trends (and remembered in memory only), never added to the figures a version stores.
    Only KPIs that could give such a sentence are forecast: a fit is most of what drafting costs."""
    return draft_summary(with_forecasts(drafted_from(view), metrics=False, only=may_cross_a_threshold))


def get_or_draft_review(session: Session, organization_id: int, period: str) -> Review:
    """The stored review, or else a new draft whose summary is drafted from the data.

    A new draft is not added to the session: reading a review never writes. ``save_review`` and ``publish_review``
    store it.
    """
    value = parse_period(period).value
    review = find_review(session, organization_id, value)
    if review is not None:
        return review
    return _new_draft(organization_id, value, drafted_summary(build_dashboard(session, organization_id, value)))


def _new_draft(organization_id: int, period: str, summary: str) -> Review:
    return Review(
        organization_id=organization_id, period=period, summary=summary, highlights="", concerns="", status="draft"
    )


def save_review(session: Session, organization_id: int, period: str, changes: ReviewUpdate, by: str) -> Review:
    """Store the fields sent; a published review edited becomes a draft again (its versions stay as they were)."""
    review = _stored(session, organization_id, period)
    sent = changes.model_dump(exclude_unset=True)
    for field in ("summary", "highlights", "concerns"):
        if field in sent:
            if sent[field] is None:
                raise InvalidInput.single(f"body.{field}", "must not be null", "text (may be empty)")
            setattr(review, field, sent[field])
    if "goals" in sent:
        if sent["goals"] is None:
            raise InvalidInput.single("body.goals", "must not be null", "a list of goals (may be empty)")
        _replace_goals(session, review, changes.goals or [])
    review.status = "draft"
    review.updated_at = datetime.now(UTC)
    review.updated_by = by
    session.flush()
    return review


def _stored(session: Session, organization_id: int, period: str) -> Review:
    review = get_or_draft_review(session, organization_id, period)
    if review.id is None:
        ref = parse_period(review.period)
        if ref.start_date > datetime.now(UTC).date():
            raise InvalidInput.single(
                "period",
                f"{ref.value} has not begun yet, so it has nothing to review",
                "a month or quarter that has begun",
            )
        ensure_periods(session, [ref])
        review.updated_at = datetime.now(UTC)
        session.add(review)
        session.flush()
    return review


def _replace_goals(session: Session, review: Review, goals: list[Any]) -> None:
    units = subject_units(session)
    problems = [
        (index, goal.subject_name) for index, goal in enumerate(goals) if goal.subject_name.lower() not in units
    ]
    if problems:
        index, name = problems[0]
        raise InvalidInput.single(
            f"body.goals.{index}.subject_name",
            f"no metric or KPI is named {name!r}",
            "the name of a metric or KPI of the catalog",
        )
    for old in goals_of(session, review.id):
        session.delete(old)
    session.flush()
    for goal in goals:
        session.add(
            ReviewGoal(
                review_id=review.id,
                subject_name=units[goal.subject_name.lower()][0],
                target_value=_target(goal.target_value),
                note=goal.note,
            )
        )


def _target(raw: Decimal) -> Decimal:
    try:
        return parse_amount(raw)
    except AmountError as error:
        raise InvalidInput.single("body.goals.target_value", str(error), AMOUNT_ACCEPTED) from None


def subject_units(session: Session) -> dict[str, tuple[str, str, str | None]]:
    """Lower-cased metric or KPI name → (its name, unit, direction), for goals."""
    rows = [
        *session.execute(select(KpiDefinition.kpi_name, KpiDefinition.unit, KpiDefinition.direction)),
        *session.execute(select(MetricDefinition.metric_name, MetricDefinition.unit, MetricDefinition.direction)),
    ]
    return {name.lower(): (name, unit, direction) for name, unit, direction in rows}


def publish_review(session: Session, organization_id: int, period: str, published_by: str) -> ReviewVersion:
    """Freeze the review as it stands: its text, goals, recommendations and today's figures, as a new version."""
    review = _stored(session, organization_id, period)
    live = live_review(session, organization_id, review.period)
    version = ReviewVersion(
        review_id=review.id,
        organization_id=organization_id,
        period=review.period,
        version=next_version_number(session, review.id),
        summary=review.summary,
        highlights=review.highlights,
        concerns=review.concerns,
        goals=live.goals.model_dump(mode="json"),
        recommendations=live.recommendations.model_dump(mode="json"),
        figures=live.figures.model_dump(mode="json"),
        published_at=datetime.now(UTC),
        published_by=published_by,
    )
    session.add(version)
    review.status = "published"
    session.flush()
    return version


def newest_published_version(session: Session, organization_id: int, period: str | None = None) -> ReviewVersion | None:
    """The newest version of the review of ``period``, or (no period) of the organization's latest published one."""
    query = select(ReviewVersion).where(ReviewVersion.organization_id == organization_id)
    if period is not None:
        query = query.where(ReviewVersion.period == parse_period(period).value)
    query = query.order_by(ReviewVersion.published_at.desc(), ReviewVersion.id.desc()).limit(1)
    return session.scalar(query)


def review_versions(session: Session, organization_id: int, period: str) -> list[ReviewVersion]:
    """Every published version of the review of ``period``, newest first."""
    return versions_of(session, organization_id, parse_period(period).value)


def live_review(session: Session, organization_id: int, period: str) -> ReviewView:
    """The review as staff work on it: the stored (or drafted) text over today's figures, internal edition."""
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(f"no organization with id {organization_id}")
    # One build of the figures and one draft serve both the text of a new draft and the machine's suggestion.
    value = parse_period(period).value
    view = build_dashboard(session, organization_id, value)
    drafted = drafted_summary(view)
    review = find_review(session, organization_id, value)
    if review is None:
        review = _new_draft(organization_id, value, drafted)
    versions = versions_of(session, organization_id, review.period)
    newest = versions[0] if versions else None
    return ReviewView(
        organization_id=organization_id,
        organization_name=organization.name,
        period=review.period,
        edition="internal",
        status="published" if review.status == "published" else "draft",
        version=None,
        summary=review.summary,
        highlights=review.highlights,
        concerns=review.concerns,
        drafted_summary=drafted,
        updated_at=review.updated_at,
        updated_by=review.updated_by,
        published_at=newest.published_at if newest else None,
        published_by=newest.published_by if newest else None,
        goals=FrozenGoals(
            next_period=_goals_public(session, review), previous=judged_goals(session, organization_id, view)
        ),
        recommendations=review_recommendations(session, organization_id, review.period),
        figures=view,
        changes_since_publication=figure_changes(DashboardView.model_validate(newest.figures), view)
        if newest
        else None,
        versions=[_summary(version) for version in versions],
    )


def published_review(session: Session, version: ReviewVersion) -> ReviewView:
    """A published version as it was frozen (internal edition: the caller applies the reader's edition)."""
    figures = DashboardView.model_validate(version.figures)
    return ReviewView(
        organization_id=version.organization_id,
        organization_name=figures.organization.name,
        period=version.period,
        edition="internal",
        status="published",
        version=version.version,
        summary=version.summary,
        highlights=version.highlights,
        concerns=version.concerns,
        drafted_summary=None,
        updated_at=version.published_at,
        updated_by=version.published_by,
        published_at=version.published_at,
        published_by=version.published_by,
        goals=FrozenGoals.model_validate(version.goals),
        recommendations=FrozenRecommendations.model_validate(version.recommendations),
        figures=figures,
        changes_since_publication=None,
        versions=[_summary(item) for item in versions_of(session, version.organization_id, version.period)],
    )


def _summary(version: ReviewVersion) -> VersionSummary:
    return VersionSummary(version=version.version, published_at=version.published_at, published_by=version.published_by)


def _goals_public(session: Session, review: Review) -> list[GoalView]:
    units = subject_units(session)
    return [
        GoalView(
            subject_name=goal.subject_name,
            target_value=goal.target_value,
            unit=units.get(goal.subject_name.lower(), (goal.subject_name, "count", None))[1],
            note=goal.note,
        )
        for goal in goals_of(session, review.id)
    ]


def judged_goals(session: Session, organization_id: int, view: DashboardView) -> list[GoalResult]:
    """The goals set at the previous review, judged against this period's figures: met when at or past target."""
    earlier = previous_review(session, organization_id, view.period.period_value)
    if earlier is None:
        return []
    actual = {kpi.kpi_name: kpi.kpi_value for kpi in view.kpis} | {
        metric.metric_name: metric.metric_value for metric in view.metrics
    }
    units = subject_units(session)
    results = []
    for goal in goals_of(session, earlier.id):
        _, unit, direction = units.get(goal.subject_name.lower(), (goal.subject_name, "count", None))
        value = actual.get(goal.subject_name)
        results.append(
            GoalResult(
                subject_name=goal.subject_name,
                target_value=goal.target_value,
                actual_value=value,
                unit=unit,
                set_in=earlier.period,
                result=goal_result(value, goal.target_value, direction),
                note=goal.note,
            )
        )
    return results


def goal_result(actual: Decimal | None, target: Decimal, direction: str | None) -> GoalVerdict:
    """``met`` when ``actual`` is at the target or on its good side (for a number without a direction, above)."""
    if actual is None:
        return "no_data"
    met = actual <= target if direction == LOWER else actual >= target
    return "met" if met else "not_met"


Snapshot = dict[str, tuple[Decimal | None, Status, str]]  # name -> (value, status, unit)


def figure_changes(published: DashboardView, current: DashboardView) -> list[FigureChange]:
    """Every KPI and metric whose value or status differs between the published snapshot and today's view."""
    changes: list[FigureChange] = []
    pairs: tuple[tuple[Literal["KPI", "metric"], Snapshot, Snapshot], ...] = (
        ("KPI", _by_name_kpis(published), _by_name_kpis(current)),
        ("metric", _by_name_metrics(published), _by_name_metrics(current)),
    )
    for kind, before, after in pairs:
        for name in sorted(before.keys() | after.keys()):
            old, new = before.get(name), after.get(name)
            if old is not None and new is not None and old[:2] == new[:2]:
                continue
            changes.append(
                FigureChange(
                    name=name,
                    kind=kind,
                    unit=(new or old or (None, "no_data", "count"))[2],
                    published_value=old[0] if old else None,
                    current_value=new[0] if new else None,
                    published_status=old[1] if old else None,
                    current_status=new[1] if new else None,
                )
            )
    return changes


def _by_name_kpis(view: DashboardView) -> Snapshot:
    return {kpi.kpi_name: (kpi.kpi_value, kpi.status, kpi.unit) for kpi in view.kpis}


def _by_name_metrics(view: DashboardView) -> Snapshot:
    return {metric.metric_name: (metric.metric_value, metric.status, metric.unit) for metric in view.metrics}
