"""Request and response bodies of reviews and recommendations; field names are the columns' plain words.

A review as shown (``ReviewView``) is the same shape whether it is the live draft (staff) or a frozen published
version (what clients see): the text, the goals, the recommendations, the roadmap and the figures.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from qbr.core.schema import InputSchema, JsonAmount, LongText, Name50, Name100, Name200, Number, Schema, Timestamp
from qbr.dashboard.schemas import DashboardView, Status
from qbr.periods.calendar import PERIOD_MAX_LENGTH, PERIOD_PATTERN, QUARTER_PATTERN

Priority = Literal["high", "medium", "low"]
RecommendationStatus = Literal["proposed", "approved", "in_progress", "done", "declined"]
ReviewStatus = Literal["draft", "published"]
Edition = Literal["client", "internal"]
GoalVerdict = Literal["met", "not_met", "no_data"]
Quarter = Annotated[str, StringConstraints(pattern=QUARTER_PATTERN, max_length=PERIOD_MAX_LENGTH)]
PeriodText = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN, max_length=PERIOD_MAX_LENGTH)]


class GoalIn(InputSchema):
    subject_name: Name100 = Field(description="A metric or KPI name.")
    target_value: JsonAmount
    note: LongText | None = None


class GoalView(Schema):
    subject_name: str
    target_value: Number
    unit: str
    note: str | None = None


class GoalResult(Schema):
    """A goal set at the previous review, judged against this period's figure."""

    subject_name: str
    target_value: Number
    actual_value: Number | None
    unit: str
    set_in: str  # the period of the review that set it
    result: GoalVerdict
    note: str | None = None


class RecommendationCreate(InputSchema):
    title: Name200
    detail: LongText | None = None
    category: Name50 | None = None
    priority: Priority = "medium"
    status: RecommendationStatus = "proposed"
    one_time_cost: JsonAmount | None = None
    monthly_cost: JsonAmount | None = None
    target_period: Quarter | None = Field(default=None, description="The quarter it is planned for: YYYY-Qn.")
    raised_in: PeriodText | None = Field(
        default=None, description="The period it was raised in (default: the current quarter)."
    )


class RecommendationUpdate(InputSchema):
    title: Name200 | None = None
    detail: LongText | None = None
    category: Name50 | None = None
    priority: Priority | None = None
    status: RecommendationStatus | None = None
    one_time_cost: JsonAmount | None = None
    monthly_cost: JsonAmount | None = None
    target_period: Quarter | None = None
    completed_in: PeriodText | None = Field(
        default=None, description="When it was done (default on status done: the current quarter)."
    )


class RecommendationPublic(Schema):
    id: int
    organization_id: int
    title: str
    detail: str | None
    category: str | None
    priority: Priority
    status: RecommendationStatus
    one_time_cost: Number | None
    monthly_cost: Number | None
    target_period: str | None
    raised_in: str
    completed_in: str | None
    created_at: Timestamp
    updated_at: Timestamp


class RoadmapQuarter(Schema):
    period: str
    recommendations: list[RecommendationPublic]
    one_time_total: Number
    monthly_total: Number


class FrozenRecommendations(Schema):
    """The recommendation sections of a review: stored as they stood in ``review_versions.recommendations``."""

    open: list[RecommendationPublic]
    completed: list[RecommendationPublic]  # completed since the previous review
    roadmap: list[RoadmapQuarter]  # the next four quarters
    unscheduled: list[RecommendationPublic]  # open, with no target quarter


class FrozenGoals(Schema):
    """The goal sections of a review: stored as they stood in ``review_versions.goals``."""

    next_period: list[GoalView]  # set at this review, judged at the next
    previous: list[GoalResult]  # set at the previous review, judged now


class FigureChange(Schema):
    """A figure that differs today from the published snapshot."""

    name: str
    kind: Literal["KPI", "metric"]
    unit: str
    published_value: Number | None
    current_value: Number | None
    published_status: Status | None
    current_status: Status | None


class VersionSummary(Schema):
    version: int
    published_at: Timestamp
    published_by: str


class ReviewView(Schema):
    organization_id: int
    organization_name: str
    period: str
    edition: Edition
    status: ReviewStatus
    version: int | None  # the published version shown; None for the live draft
    summary: str
    highlights: str
    concerns: str
    drafted_summary: str | None  # the summary drafted from today's figures (staff only)
    updated_at: Timestamp | None
    updated_by: str | None
    published_at: Timestamp | None
    published_by: str | None
    goals: FrozenGoals
    recommendations: FrozenRecommendations
    figures: DashboardView
    # Staff only: how today's figures differ from the newest published version's (None: nothing published).
    changes_since_publication: list[FigureChange] | None
    versions: list[VersionSummary]


class ReviewUpdate(InputSchema):
    summary: Annotated[str, StringConstraints(max_length=20_000, pattern=r"^[^\x00]*$")] | None = None
    highlights: LongText | None = None
    concerns: LongText | None = None
    goals: Annotated[list[GoalIn], Field(max_length=50)] | None = Field(
        default=None, description="The goals for the next period; replaces the list."
    )


class ReviewVersionItem(Schema):
    """A published version as a list shows it; its frozen content is ``GET …/reviews/{period}?version=N``."""

    id: int
    organization_id: int
    period: str
    version: int
    published_at: Timestamp
    published_by: str
