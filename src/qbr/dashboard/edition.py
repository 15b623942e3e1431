"""The client and internal editions: who gets which, and the one filter that turns a dashboard view into the
client's.

A **client user** is a user or API key limited to organizations, none of which is the MSP's own organization. Such
a principal sees the *client edition* of every organization: only ``client`` metrics and KPIs, no formulas (a
plain-language description instead), no data-quality notes, no source or sync details. Everyone else (unscoped
principals, and principals whose scope includes the MSP's organization, such as account managers limited to their
clients plus the MSP) is staff and sees the *internal edition*. The MSP's own organization is always internal.

Pages, the API, the print view, the PDF and the review all call :func:`edition_for` and :func:`apply_edition`;
the list endpoints limit names with :func:`client_names_only`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from qbr.auth.principal import Principal
from qbr.dashboard.schemas import DashboardKpi, DashboardView, Edition
from qbr.kpis.models import KpiDefinition
from qbr.metrics.models import MetricDefinition
from qbr.organizations.models import Organization

__all__ = [
    "Edition",
    "apply_edition",
    "client_names_only",
    "edition_for",
    "is_client_principal",
    "msp_organization_id",
    "principal_edition",
]

# What a client sees instead of an internal reason (which may name internal metrics or say how to fix the data).
CLIENT_NULL_REASON = "not available for this period"


def msp_organization_id(session: Session) -> int | None:
    """The id of the organization marked as the MSP itself, if any."""
    return session.scalar(select(Organization.id).where(Organization.is_msp))


def is_client_principal(principal: Principal, msp_id: int | None) -> bool:
    """Whether ``principal`` is a client user: limited to organizations, and the MSP's own is not among them."""
    scope = principal.organization_ids
    return scope is not None and (msp_id is None or msp_id not in scope)


def principal_edition(session: Session, principal: Principal) -> Edition:
    """The edition ``principal`` sees of client organizations (and of shared lists such as the catalog)."""
    if not principal.is_scoped:
        return "internal"  # without asking the database: most requests come from staff
    return "client" if is_client_principal(principal, msp_organization_id(session)) else "internal"


def edition_for(session: Session, principal: Principal, organization_id: int) -> Edition:
    """The edition of ``organization_id``'s figures for ``principal``: the MSP's own organization is internal."""
    if not principal.is_scoped:
        return "internal"
    msp_id = msp_organization_id(session)
    if organization_id == msp_id:
        return "internal"
    return "client" if is_client_principal(principal, msp_id) else "internal"


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
    return kpi.model_copy(update={"calculation_method": None, "null_reason": reason, "threshold_source": None})


def client_names_only(edition: Edition, name_column: ColumnElement[str] | Any) -> ColumnElement[bool]:
    """A WHERE clause keeping rows whose metric or KPI name (``name_column``) the edition may show."""
    if edition == "internal":
        return true()
    client_metrics = select(MetricDefinition.metric_name).where(MetricDefinition.audience == "client")
    client_kpis = select(KpiDefinition.kpi_name).where(KpiDefinition.audience == "client")
    condition: ColumnElement[bool] = name_column.in_(client_metrics.union(client_kpis))
    return condition
