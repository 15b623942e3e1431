"""Who sees which metrics and KPIs: the client-user rule and the name filter that lists and pages apply.

A **client user** is a user or API key limited to organizations, none of which is the MSP's own organization. It
sees the *client edition*: only metrics and KPIs whose audience is ``client``. Everyone else (unscoped principals,
and principals whose scope includes the MSP's organization, such as an account manager limited to their clients
plus the MSP) is staff and sees the *internal edition*. The MSP's own organization is always internal.

The rule lives here, below every package that lists catalog names; qbr.dashboard.edition builds the client
edition of a dashboard view on it.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from qbr.core.principal import Principal
from qbr.metrics.models import KpiDefinition, MetricDefinition
from qbr.organizations.models import Organization

Edition = Literal["client", "internal"]


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


def client_names_only(edition: Edition, name_column: ColumnElement[str] | Any) -> ColumnElement[bool]:
    """A WHERE clause keeping rows whose metric or KPI name (``name_column``) the edition may show."""
    if edition == "internal":
        return true()
    client_metrics = select(MetricDefinition.metric_name).where(MetricDefinition.audience == "client")
    client_kpis = select(KpiDefinition.kpi_name).where(KpiDefinition.audience == "client")
    condition: ColumnElement[bool] = name_column.in_(client_metrics.union(client_kpis))
    return condition
