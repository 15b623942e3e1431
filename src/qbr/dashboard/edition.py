"""The client and internal editions: who gets which, and the one filter that turns a dashboard view into the
client's.

A **client user** is a user or API key limited to organizations, none of which is the MSP's own organization. Such
a principal sees the *client edition* of every organization: only ``client`` metrics and KPIs, no formulas (a
plain-language description instead), no data-quality notes, no source or sync details. Everyone else (unscoped
principals, and principals whose scope includes the MSP's organization, such as account managers limited to their
clients plus the MSP) is staff and sees the *internal edition*. The MSP's own organization is always internal.

Pages, the API, the print view, the PDF and the review call :func:`edition_for` and :func:`apply_edition`. Who is a
client user and which names a list may show are decided in qbr.metrics.audience (re-exported here), below the
packages whose endpoints list catalog names.
"""

from __future__ import annotations

from qbr.dashboard.schemas import DashboardKpi, DashboardView
from qbr.metrics.audience import (
    Edition,
    client_names_only,
    edition_for,
    is_client_principal,
    msp_organization_id,
    principal_edition,
)

__all__ = [
    "Edition",
    "apply_edition",
    "client_names_only",
    "edition_for",
    "is_client_principal",
    "msp_organization_id",
    "principal_edition",
    "report_edition",
]

# What a client sees instead of an internal reason (which may name internal metrics or say how to fix the data).
CLIENT_NULL_REASON = "not available for this period"


def report_edition(*, is_msp: bool, internal: bool) -> Edition:
    """The edition of a report made outside a request (``qbr report``): client unless asked for, or the MSP's."""
    return "internal" if internal or is_msp else "client"


def apply_edition(view: DashboardView, edition: Edition) -> DashboardView:
    """``view`` as ``edition`` shows it. The internal edition is the view itself; the client edition keeps only
    client items and drops everything meant for the MSP (formulas, reasons naming inputs, data-quality notes,
    source links). The MSP's own organization is always shown internal."""
    if edition == "internal" or view.organization.is_msp:
        return view if view.edition == "internal" else view.model_copy(update={"edition": "internal"})
    return view.model_copy(
        update={
            "edition": "client",
            "kpis": [_client_kpi(kpi) for kpi in view.kpis if kpi.audience == "client"],
            "metrics": [metric for metric in view.metrics if metric.audience == "client"],
            "data_quality": [],
            "sources": [],
        }
    )


def _client_kpi(kpi: DashboardKpi) -> DashboardKpi:
    reason = CLIENT_NULL_REASON if kpi.null_reason is not None else None
    # The portfolio standing shrinks to its anonymous statement: never a median or any figure of another client.
    portfolio = kpi.portfolio.for_client() if kpi.portfolio else None
    return kpi.model_copy(
        update={
            "calculation_method": None,
            "null_reason": reason,
            "threshold_source": None,
            "portfolio": portfolio,
            "reference_range": None,  # how the MSP judges its own business, never a client's
        }
    )
