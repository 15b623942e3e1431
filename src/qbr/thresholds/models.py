"""The specified ``thresholds`` table: warning and critical values, defaults and per-organization overrides."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column

from qbr.core.orm import Base, IntPk, Money


class Threshold(Base):
    __tablename__ = "thresholds"
    __table_args__ = (
        CheckConstraint("threshold_type IN ('warning', 'critical')", name="threshold_type"),
        # An organization's own threshold overrides the default (organization_id NULL).
        UniqueConstraint("organization_id", "metric_name", "threshold_type"),
        # NULLs are distinct in a unique constraint, so defaults need their own partial index.
        Index(
            "uq_thresholds_default_metric_name_threshold_type",
            "metric_name",
            "threshold_type",
            unique=True,
            sqlite_where=text("organization_id IS NULL"),
            postgresql_where=text("organization_id IS NULL"),
        ),
    )

    id: Mapped[IntPk]
    metric_name: Mapped[str] = mapped_column(String(100))
    threshold_type: Mapped[str] = mapped_column(String(20))
    threshold_value: Mapped[Money]
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
