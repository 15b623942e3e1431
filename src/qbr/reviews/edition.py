"""Which edition of a review a reader gets, and the one seam where the client edition's filter applies.

The client edition (a client's users, a client organization's report) must show only what the client may see;
staff get the internal edition, everything. ``edition_view`` is where the figures are filtered; everything the
review derives from the figures (goals, changes) follows the filtered view.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from qbr.core.principal import Principal
from qbr.dashboard.edition import apply_edition, edition_for
from qbr.dashboard.schemas import DashboardView
from qbr.reviews.schemas import Edition, ReviewView


def reader_edition(session: Session, principal: Principal, organization_id: int) -> Edition:
    """A client user reads the client edition of its organizations' reviews (published versions only); the MSP's
    staff, and anyone reading the MSP's own review, the internal one (the rule of ``qbr.dashboard.edition``)."""
    return edition_for(session, principal, organization_id)


def edition_view(view: DashboardView, edition: Edition) -> DashboardView:
    """The figures of ``view`` that ``edition`` shows."""
    return apply_edition(view, edition)


def story_edition(view: DashboardView) -> Edition:
    """The edition the review's text is drafted from: a client's review is read by the client, so its draft names
    only what the client sees; the MSP's own review is internal."""
    return "internal" if view.organization.is_msp else "client"


def drafted_from(view: DashboardView) -> DashboardView:
    """The figures a review's summary is drafted from."""
    return edition_view(view, story_edition(view))


def edition_review(review: ReviewView, edition: Edition) -> ReviewView:
    """``review`` as ``edition`` shows it: filtered figures, goals only on figures it shows, no staff notes."""
    figures = edition_view(review.figures, edition)
    shown = {kpi.kpi_name for kpi in figures.kpis} | {metric.metric_name for metric in figures.metrics}
    goals = review.goals.model_copy(
        update={
            "next_period": [goal for goal in review.goals.next_period if goal.subject_name in shown],
            "previous": [goal for goal in review.goals.previous if goal.subject_name in shown],
        }
    )
    changes = review.changes_since_publication
    if edition == "client":
        # What changed since publication, the machine's draft, data-quality signals and the state of the vendor
        # links are notes for the MSP's staff.
        changes = None
        drafted = None
        figures = figures.model_copy(update={"data_quality": [], "sources": []})
    else:
        drafted = review.drafted_summary
        if changes is not None:
            changes = [change for change in changes if change.name in shown]
    return review.model_copy(
        update={
            "edition": edition,
            "figures": figures,
            "goals": goals,
            "changes_since_publication": changes,
            "drafted_summary": drafted,
        }
    )
