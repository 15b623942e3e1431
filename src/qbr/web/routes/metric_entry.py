"""Manual entry and correction of a monthly metric value (``source_system = 'Manual'``).

A manual value overrides what the connectors collected for the same organization, month and metric; it is
allowed in closed months, and every change is recorded with its note and author in ``metric_corrections``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from qbr.api.deps import SessionDep
from qbr.core.principal import Principal
from qbr.errors import InvalidInput, NotFound
from qbr.ingest.cell_values import CellError, parse_month
from qbr.ingest.manual import set_manual_value
from qbr.metrics.audience import client_names_only, principal_edition
from qbr.metrics.models import MetricCorrection, MetricDefinition, MetricMonthly
from qbr.organizations.models import Organization
from qbr.periods.calendar import parse_period
from qbr.presentation.values import format_value
from qbr.web.csrf import verify_csrf
from qbr.web.deps import PageEditor
from qbr.web.session import flash
from qbr.web.templating import render

router = APIRouter()
RECENT_CORRECTIONS = 15
MAX_MONTH_TEXT = 40  # "September 2025" and the like are read too; longer is refused as a field error


def _month_text(text: str) -> str:
    """The month as typed, read the spreadsheet importer's way ("Oct 2026" → 2026-10); as typed when unreadable,
    so that the ingest path explains what is accepted."""
    try:
        return parse_month(text)
    except CellError:
        return text.strip()


@router.get("/metrics/entry", name="metric_entry")
def entry_page(
    request: Request,
    session: SessionDep,
    principal: PageEditor,
    organization_id: Annotated[int | None, Query()] = None,
    period: Annotated[str, Query(max_length=7)] = "",
    metric_name: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    if organization_id is not None:
        principal.require_visible(organization_id)
    month = parse_period(period, expect="monthly").value if period else ""
    form: dict[str, object] = {
        "organization_id": organization_id,
        "period": month,
        "metric_name": metric_name,
        "value": "",
        "note": "",
    }
    return _page(request, session, principal, form, problems=[])


@router.post("/metrics/entry", dependencies=[Depends(verify_csrf)])
def save_entry(
    request: Request,
    session: SessionDep,
    principal: PageEditor,
    organization_id: Annotated[int, Form()],
    period: Annotated[str, Form(max_length=MAX_MONTH_TEXT)],
    metric_name: Annotated[str, Form(max_length=100)],
    value: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    principal.require_visible(organization_id)
    period = _month_text(period)
    form: dict[str, object] = {
        "organization_id": organization_id,
        "period": period,
        "metric_name": metric_name,
        "value": value,
        "note": note,
    }
    try:
        with session.begin_nested():
            change = set_manual_value(
                session,
                organization_id,
                period.strip(),
                metric_name,
                value.strip() or None,
                note=note.strip() or None,
                changed_by=principal.name,
            )
    except (InvalidInput, NotFound) as error:
        problems = [str(p) for p in error.problems] if isinstance(error, InvalidInput) else [str(error)]
        return _page(request, session, principal, form, problems=problems, status_code=422)
    unit = session.scalar(select(MetricDefinition.unit).where(MetricDefinition.metric_name == metric_name)) or "count"
    if value.strip():
        message = f"{metric_name} for {period} is now {format_value(change.new_value, unit)} (manual value)."
    else:
        message = f"The manual value of {metric_name} for {period} was removed; collected values apply again."
    if change.period_was_closed:
        message += " The month was closed: the correction is recorded with your note."
    flash(request, message)
    target = f"{request.url_for('metric_entry').path}?organization_id={organization_id}&period={period.strip()}"
    return RedirectResponse(target, status_code=303)


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    form: dict[str, object],
    *,
    problems: list[str],
    status_code: int = 200,
) -> Response:
    organizations = list(
        session.scalars(
            select(Organization)
            .where(Organization.is_active, principal.organization_filter(Organization.id))
            .order_by(Organization.name)
        )
    )
    # A client user enters and sees only the client's metrics (see qbr.dashboard.edition).
    edition = principal_edition(session, principal)
    metrics = list(
        session.scalars(
            select(MetricDefinition)
            .where(client_names_only(edition, MetricDefinition.metric_name))
            .order_by(MetricDefinition.metric_name)
        )
    )
    organization_id, period = form["organization_id"], form["period"]
    values: list[MetricMonthly] = []
    corrections: list[MetricCorrection] = []
    if isinstance(organization_id, int):
        corrections = list(
            session.scalars(
                select(MetricCorrection)
                .where(
                    MetricCorrection.organization_id == organization_id,
                    client_names_only(edition, MetricCorrection.metric_name),
                )
                .order_by(MetricCorrection.created_at.desc(), MetricCorrection.id.desc())
                .limit(RECENT_CORRECTIONS)
            )
        )
        if period:
            values = list(
                session.scalars(
                    select(MetricMonthly)
                    .where(
                        MetricMonthly.organization_id == organization_id,
                        MetricMonthly.period == period,
                        client_names_only(edition, MetricMonthly.metric_name),
                    )
                    .order_by(MetricMonthly.metric_name, MetricMonthly.source_system)
                )
            )
    context = {
        "nav": "metrics",
        "form": form,
        "problems": problems,
        "organizations": organizations,
        "metrics": metrics,
        "units": {metric.metric_name: metric.unit for metric in metrics},
        "values": values,
        "corrections": corrections,
    }
    return render(request, "metric_entry.html", context, status_code=status_code)
