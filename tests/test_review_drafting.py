"""The executive summary drafted from a hand-made pair of quarters names every threshold crossing, both ways.

Each KPI below is built to cross one threshold between 2025-Q1 and 2025-Q2 (default thresholds: RHEM warning
0.25 h / critical 0.40 h, lower is better; Patch Compliance % 95 / 85, Backup Success % 98 / 95 and SLA
Compliance % 95 / 90, higher is better).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from qbr.dashboard.service import build_dashboard
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.reviews.drafting import draft_summary
from qbr.reviews.edition import drafted_from
from qbr.reviews.service import get_or_draft_review
from tests.support import make_organization

# metric -> (source, monthly value in 2025-Q1, monthly value in 2025-Q2)
HAND_MADE = {
    "Endpoints Managed": ("NinjaOne", 100, 100),
    "Reactive Hours": ("ConnectWise", 30, 45),  # RHEM 0.30 h (warning) -> 0.45 h (critical): worse
    "Patch Compliant Devices": ("NinjaOne", 80, 97),  # 80% (critical) -> 97% (on target): better
    "Backup Jobs Total": ("NinjaOne", 100, 100),
    "Backup Jobs Succeeded": ("NinjaOne", 99, 97),  # 99% (on target) -> 97% (warning): worse
    "Tickets With SLA": ("ConnectWise", 100, 100),
    "Tickets Met SLA": ("ConnectWise", 85, 93),  # 85% (critical) -> 93% (warning): better
}
Q1_MONTHS = ("2025-01", "2025-02", "2025-03")
Q2_MONTHS = ("2025-04", "2025-05", "2025-06")


def _hand_made_quarters(session: Session) -> int:
    organization = make_organization(session, "Hand Made Ltd")
    rows = [
        MetricInput(organization.id, month, metric, Decimal(value), source)
        for metric, (source, first, second) in HAND_MADE.items()
        for months, value in ((Q1_MONTHS, first), (Q2_MONTHS, second))
        for month in months
    ]
    ingest_metrics(session, rows)
    return organization.id


def test_each_crossing_is_named_with_value_threshold_and_previous_value(session: Session) -> None:
    organization_id = _hand_made_quarters(session)
    summary = draft_summary(build_dashboard(session, organization_id, "2025-Q2"))
    # Worse: into critical, and into warning.
    assert "RHEM crossed the critical threshold of 0.40 h: 0.45 h in Q2 2025, from 0.30 h in Q1 2025." in summary
    assert "Backup Success % crossed the warning threshold of 98%: 97% in Q2 2025, from 99% in Q1 2025." in summary
    # Better: from critical back past both thresholds, and from critical to warning.
    assert (
        "Patch Compliance % came back within the warning threshold of 95%: 97% in Q2 2025, from 80% in Q1 2025."
        in summary
    )
    assert (
        "SLA Compliance % came back within the critical threshold of 90%: 93% in Q2 2025, from 85% in Q1 2025."
        in summary
    )


def test_what_stays_at_warning_or_critical_says_for_how_long(session: Session) -> None:
    organization_id = _hand_made_quarters(session)
    summary = draft_summary(build_dashboard(session, organization_id, "2025-Q2"))
    assert "RHEM is critical at 0.45 h (critical threshold 0.40 h; previous 0.30 h), new this quarter." in summary
    assert "SLA Compliance % is at warning at 93% (warning threshold 95%; previous 85%), new this quarter." in summary
    earlier = draft_summary(build_dashboard(session, organization_id, "2025-Q1"))
    assert "Patch Compliance % is critical at 80% (critical threshold 85%; previous —), new this quarter." in earlier


def test_the_opening_counts_and_the_text_is_deterministic(session: Session) -> None:
    organization_id = _hand_made_quarters(session)
    view = build_dashboard(session, organization_id, "2025-Q2")
    summary = draft_summary(view)
    assert summary.startswith("Hand Made Ltd, Q2 2025. Of ")
    assert "1 critical" in summary
    assert draft_summary(build_dashboard(session, organization_id, "2025-Q2")) == summary


def test_a_streak_counts_the_quarters_since_it_began(session: Session) -> None:
    organization_id = _hand_made_quarters(session)
    # A third quarter as bad as the second: RHEM has now been critical for two quarters.
    rows = [
        MetricInput(organization_id, month, metric, Decimal(second), source)
        for metric, (source, _, second) in HAND_MADE.items()
        for month in ("2025-07", "2025-08", "2025-09")
    ]
    ingest_metrics(session, rows)
    summary = draft_summary(build_dashboard(session, organization_id, "2025-Q3"))
    assert (
        "RHEM is critical at 0.45 h (critical threshold 0.40 h; previous 0.45 h), for 2 quarters now, since Q2 2025."
        in summary
    )
    assert "crossed" not in summary


def test_a_new_review_starts_from_the_drafted_summary(session: Session) -> None:
    organization_id = _hand_made_quarters(session)
    review = get_or_draft_review(session, organization_id, "2025-Q2")
    assert review.id is None  # drafted, not stored: reading never writes
    assert review.status == "draft"
    # A client's review is drafted from what the client sees.
    assert review.summary == draft_summary(drafted_from(build_dashboard(session, organization_id, "2025-Q2")))
