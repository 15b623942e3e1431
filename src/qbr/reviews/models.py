"""Reviews (the story of one organization's period), their goals, their published versions, and recommendations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from qbr.core.orm import Base, CreatedAt, IntPk
from qbr.metrics.models import _in
from qbr.periods.models import QUARTERLY_PERIOD_SQL

REVIEW_STATUSES = ("draft", "published")
PRIORITIES = ("high", "medium", "low")
RECOMMENDATION_STATUSES = ("proposed", "approved", "in_progress", "done", "declined")
OPEN_STATUSES = ("proposed", "approved", "in_progress")
CLOSED_STATUSES = ("done", "declined")


class Review(Base):
    """The text an account manager puts in front of a client for one period; ``draft`` until published."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("organization_id", "period"),
        CheckConstraint(_in("status", REVIEW_STATUSES), name="status"),
    )

    id: Mapped[IntPk]
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    period: Mapped[str] = mapped_column(String(7), ForeignKey("periods.period_value"))
    summary: Mapped[str] = mapped_column(Text)
    highlights: Mapped[str] = mapped_column(Text)
    concerns: Mapped[str] = mapped_column(Text)
    # 'published' while the stored text is the newest version's; an edit after publishing makes it a draft again.
    status: Mapped[str] = mapped_column(String(20), server_default="draft")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[str | None] = mapped_column(String(100))


class ReviewGoal(Base):
    """A target for the next period, on a metric or KPI, judged (met or not) at the next review."""

    __tablename__ = "review_goals"

    id: Mapped[IntPk]
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    subject_name: Mapped[str] = mapped_column(String(100))
    target_value: Mapped[Decimal]
    note: Mapped[str | None] = mapped_column(Text)


class ReviewVersion(Base):
    """A published review, frozen: its text, goals, recommendations and the figures as they stood.

    ``figures`` is the dashboard view of the period (``DashboardView`` as JSON) at publication, so later data
    changes never alter what the client was shown; ``goals`` and ``recommendations`` are the review's sections as
    published (see ``qbr.reviews.schemas.FrozenGoals`` and ``FrozenRecommendations``).
    """

    __tablename__ = "review_versions"
    __table_args__ = (UniqueConstraint("review_id", "version"),)

    id: Mapped[IntPk]
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), ForeignKey("periods.period_value"))
    version: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    highlights: Mapped[str] = mapped_column(Text)
    concerns: Mapped[str] = mapped_column(Text)
    goals: Mapped[dict[str, Any]] = mapped_column(JSON)
    recommendations: Mapped[dict[str, Any]] = mapped_column(JSON)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str] = mapped_column(String(100))


class Recommendation(Base):
    """Something the MSP recommends to an organization, carried from review to review until done or declined."""

    __tablename__ = "recommendations"
    __table_args__ = (
        CheckConstraint(_in("priority", PRIORITIES), name="priority"),
        CheckConstraint(_in("status", RECOMMENDATION_STATUSES), name="status"),
        CheckConstraint(
            f"target_period IS NULL OR ({QUARTERLY_PERIOD_SQL.format(col='target_period')})", name="target_period"
        ),
    )

    id: Mapped[IntPk]
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(50))
    priority: Mapped[str] = mapped_column(String(20), server_default="medium")
    status: Mapped[str] = mapped_column(String(20), server_default="proposed")
    one_time_cost: Mapped[Decimal | None]
    monthly_cost: Mapped[Decimal | None]
    target_period: Mapped[str | None] = mapped_column(String(7))  # a quarter, YYYY-Qn
    raised_in: Mapped[str] = mapped_column(String(7))
    completed_in: Mapped[str | None] = mapped_column(String(7))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
