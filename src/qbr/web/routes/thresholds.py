"""The thresholds editor: the defaults and each organization's own warning and critical values.

Editors change the thresholds of the organizations they may see; only an unscoped admin changes the defaults,
which apply to every organization. Every change goes through ``qbr.thresholds.service``, which refuses a warning
value on the wrong side of the critical one, so the page can never store what the CLI and API would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from qbr.api.deps import SessionDep
from qbr.core.principal import Principal
from qbr.errors import Conflict, InvalidInput, NotFound
from qbr.metrics.audience import Edition, client_names_only, principal_edition
from qbr.metrics.models import KpiDefinition, MetricDefinition
from qbr.organizations.models import Organization
from qbr.presentation.values import format_value
from qbr.thresholds.grading import effective_thresholds
from qbr.thresholds.models import Threshold
from qbr.thresholds.service import THRESHOLD_TYPES, delete_threshold, set_threshold
from qbr.web.csrf import verify_csrf
from qbr.web.deps import PageEditor
from qbr.web.session import flash
from qbr.web.templating import render

router = APIRouter()


@dataclass(frozen=True)
class GradedRow:
    """One metric or KPI as the editor lists it: its effective thresholds and which of them are this scope's own."""

    name: str
    kind: str  # "KPI" or "metric"
    unit: str
    direction: str | None
    warning: Decimal | None
    critical: Decimal | None
    own: frozenset[str]  # threshold types set for this scope itself (not inherited from the defaults)


def graded_rows(session: Session, organization_id: int | None, edition: Edition = "internal") -> list[GradedRow]:
    """Every metric and KPI that has a direction (so can be graded), KPIs first, with its thresholds; a client
    user's edition lists only the client's items."""
    effective = effective_thresholds(session, organization_id)
    owner = (
        Threshold.organization_id.is_(None) if organization_id is None else Threshold.organization_id == organization_id
    )
    own: dict[str, set[str]] = {}
    for name, kind in session.execute(select(Threshold.metric_name, Threshold.threshold_type).where(owner)):
        own.setdefault(name, set()).add(kind)
    catalog = [
        ("KPI", name, unit, direction)
        for name, unit, direction in session.execute(
            select(KpiDefinition.kpi_name, KpiDefinition.unit, KpiDefinition.direction)
            .where(KpiDefinition.direction.is_not(None), client_names_only(edition, KpiDefinition.kpi_name))
            .order_by(KpiDefinition.sort_order, KpiDefinition.kpi_name)
        )
    ] + [
        ("metric", name, unit, direction)
        for name, unit, direction in session.execute(
            select(MetricDefinition.metric_name, MetricDefinition.unit, MetricDefinition.direction)
            .where(MetricDefinition.direction.is_not(None), client_names_only(edition, MetricDefinition.metric_name))
            .order_by(MetricDefinition.metric_name)
        )
    ]
    rows = []
    for kind, name, unit, direction in catalog:
        limits = effective.get(name)
        rows.append(
            GradedRow(
                name,
                kind,
                unit,
                direction,
                limits.warning if limits else None,
                limits.critical if limits else None,
                frozenset(own.get(name, ())),
            )
        )
    return rows


def _scope(
    session: Session, principal: Principal, organization_id: int | None, *, changing: bool
) -> Organization | None:
    """The organization edited (None for the defaults), after checking the principal may see or change it."""
    if organization_id is None:
        if changing:
            principal.require_unscoped("admin", "changing the default thresholds")
        return None
    principal.require_visible(organization_id)
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(f"no organization with id {organization_id}")
    return organization


def _organizations(session: Session, principal: Principal) -> list[Organization]:
    return list(
        session.scalars(
            select(Organization)
            .where(Organization.is_active, principal.organization_filter(Organization.id))
            .order_by(Organization.name)
        )
    )


def _optional_id(raw: str | None) -> int | None:
    if raw is None or not raw.strip():
        return None
    if not raw.strip().isdigit():
        raise InvalidInput.single("organization_id", f"{raw!r} is not an organization id", "a numeric id, or empty")
    return int(raw)


@router.get("/thresholds", name="thresholds")
def thresholds_page(
    request: Request, session: SessionDep, principal: PageEditor, organization_id: str | None = None
) -> Response:
    scope_id = _optional_id(organization_id)
    if scope_id is None and principal.is_scoped:
        # A scoped editor has no say over the defaults: start on the first organization they may change.
        first = next(iter(_organizations(session, principal)), None)
        scope_id = first.id if first is not None else None
    organization = _scope(session, principal, scope_id, changing=False)
    context = {
        "nav": "thresholds",
        "organization": organization,
        "organizations": _organizations(session, principal),
        "can_edit_defaults": principal.has_role("admin") and not principal.is_scoped,
        "rows": graded_rows(session, scope_id, principal_edition(session, principal)),
        "format_value": format_value,
    }
    return render(request, "thresholds.html", context)


@router.get("/thresholds/edit", name="threshold_edit")
def threshold_form(
    request: Request, session: SessionDep, principal: PageEditor, name: str, organization_id: str | None = None
) -> Response:
    scope_id = _optional_id(organization_id)
    organization = _scope(session, principal, scope_id, changing=True)
    row = _row(session, scope_id, name, principal_edition(session, principal))
    values = {kind: _own_text(row, kind) for kind in THRESHOLD_TYPES}
    return _form(request, session, row, organization, values, problems=[])


@router.post("/thresholds/edit", dependencies=[Depends(verify_csrf)])
def save_threshold(
    request: Request,
    session: SessionDep,
    principal: PageEditor,
    name: Annotated[str, Form(max_length=100)],
    organization_id: Annotated[str, Form()] = "",
    warning: Annotated[str, Form(max_length=40)] = "",
    critical: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    scope_id = _optional_id(organization_id)
    organization = _scope(session, principal, scope_id, changing=True)
    row = _row(session, scope_id, name, principal_edition(session, principal))
    entered = {"warning": warning.strip(), "critical": critical.strip()}
    try:
        # A savepoint: a refused change leaves nothing half-written in this request's transaction.
        with session.begin_nested():
            given = {kind: value for kind, value in entered.items() if value}
            if given:
                set_threshold(session, row.name, organization_id=scope_id, **given)
            for kind in THRESHOLD_TYPES:
                if not entered[kind] and kind in row.own:
                    delete_threshold(session, row.name, organization_id=scope_id, threshold_type=kind)
    except (InvalidInput, Conflict) as error:
        problems = [str(p) for p in error.problems] if isinstance(error, InvalidInput) else [str(error)]
        status = 422 if isinstance(error, InvalidInput) else 409
        return _form(request, session, row, organization, entered, problems=problems, status_code=status)
    saved = _row(session, scope_id, row.name, principal_edition(session, principal))
    whose = organization.name if organization else "every organization (default)"
    flash(
        request,
        f"Saved the thresholds of {row.name} for {whose}: warning {format_value(saved.warning, row.unit)}, "
        f"critical {format_value(saved.critical, row.unit)}.",
    )
    target = request.url_for("thresholds").path + (f"?organization_id={scope_id}" if scope_id is not None else "")
    return RedirectResponse(target, status_code=303)


def _row(session: Session, organization_id: int | None, name: str, edition: Edition) -> GradedRow:
    for row in graded_rows(session, organization_id, edition):
        if row.name.lower() == name.strip().lower():
            return row
    raise NotFound(f"no metric or KPI with a direction is named {name!r}, so it has no thresholds to edit")


def _own_text(row: GradedRow, kind: str) -> str:
    value = row.warning if kind == "warning" else row.critical
    return str(value) if kind in row.own and value is not None else ""


def _form(
    request: Request,
    session: Session,
    row: GradedRow,
    organization: Organization | None,
    values: dict[str, str],
    *,
    problems: list[str],
    status_code: int = 200,
) -> Response:
    defaults = effective_thresholds(session, None).get(row.name)
    context = {
        "nav": "thresholds",
        "row": row,
        "organization": organization,
        "values": values,
        "problems": problems,
        "default_warning": defaults.warning if defaults else None,
        "default_critical": defaults.critical if defaults else None,
    }
    return render(request, "threshold_edit.html", context, status_code=status_code)
