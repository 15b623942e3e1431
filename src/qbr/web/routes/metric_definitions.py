"""The metric definitions page: every catalog metric with its unit, rollup rule and source, and the two things
an MSP decides per metric here: its audience (client or internal) and its plain-language description."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from qbr.api.deps import SessionDep
from qbr.errors import InvalidInput, NotFound
from qbr.ingest.definitions import update_metric_definition
from qbr.metrics.models import AUDIENCES, MetricDefinition
from qbr.web.csrf import verify_csrf
from qbr.web.deps import PageAdmin
from qbr.web.routes.kpis import AUDIENCE_CHOICES
from qbr.web.session import flash
from qbr.web.templating import render

router = APIRouter()


@router.get("/metrics/definitions", name="metric_definitions")
def metric_list(request: Request, session: SessionDep, principal: PageAdmin) -> Response:
    metrics = list(session.scalars(select(MetricDefinition).order_by(MetricDefinition.id)))
    return render(request, "metric_definitions.html", {"nav": "metric_definitions", "metrics": metrics})


@router.get("/metrics/definitions/{metric_id}/edit", name="metric_definition_edit")
def edit_form(metric_id: int, request: Request, session: SessionDep, principal: PageAdmin) -> Response:
    definition = _definition(session, metric_id)
    fields = {"audience": definition.audience, "description": definition.description or ""}
    return _form(request, definition, fields, problems=[])


@router.post("/metrics/definitions/{metric_id}/edit", dependencies=[Depends(verify_csrf)])
def save(
    metric_id: int,
    request: Request,
    session: SessionDep,
    principal: PageAdmin,
    audience: Annotated[str, Form(max_length=20)] = "",
    description: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    definition = _definition(session, metric_id)
    fields = {"audience": audience, "description": description}
    if audience not in AUDIENCES:
        problem = f"audience: {audience!r} is not an audience; accepted: {', '.join(AUDIENCES)}"
        return _form(request, definition, fields, problems=[problem], status_code=422)
    try:
        with session.begin_nested():
            changes = {"audience": audience, "description": description.strip() or None}
            update_metric_definition(session, definition, changes)
    except InvalidInput as error:
        return _form(request, definition, fields, problems=[str(p) for p in error.problems], status_code=422)
    shown = "shown to clients" if audience == "client" else "internal"
    flash(request, f"Saved the metric {definition.metric_name}: {shown}.")
    return RedirectResponse(request.url_for("metric_definitions").path, status_code=303)


def _definition(session: Session, metric_id: int) -> MetricDefinition:
    definition = session.get(MetricDefinition, metric_id)
    if definition is None:
        raise NotFound(f"no metric definition with id {metric_id}")
    return definition


def _form(
    request: Request,
    definition: MetricDefinition,
    fields: dict[str, str],
    *,
    problems: list[str],
    status_code: int = 200,
) -> Response:
    context = {
        "nav": "metric_definitions",
        "definition": definition,
        "fields": fields,
        "problems": problems,
        "audiences": AUDIENCE_CHOICES,
    }
    return render(request, "metric_definition_edit.html", context, status_code=status_code)
