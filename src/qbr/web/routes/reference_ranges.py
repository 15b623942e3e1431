"""A KPI's industry reference range on its own form, beside the KPI editor: the low and high ends in the KPI's
unit, which side is better, and the published source (publisher, title, address, year, a note).

The same checks as the API and the CLI (qbr.kpis.reference_ranges): every problem is listed on the form and
nothing is saved until all are fixed.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from qbr.api.deps import SessionDep
from qbr.errors import InvalidInput
from qbr.kpis.reference_ranges import RangeInput, delete_reference_range, set_reference_range
from qbr.metrics.models import KpiDefinition, KpiReferenceRange
from qbr.web.csrf import verify_csrf
from qbr.web.deps import PageAdmin
from qbr.web.routes.kpis import kpi_definition_or_404
from qbr.web.session import flash
from qbr.web.templating import render

router = APIRouter()
DIRECTION_CHOICES = (
    ("", "The KPI's own direction"),
    ("higher_is_better", "Higher is better"),
    ("lower_is_better", "Lower is better"),
)


class RangeForm(BaseModel):
    """The form's fields as typed; lengths are checked by the service so the form can say which field is wrong."""

    low: str = Field("", max_length=40)
    high: str = Field("", max_length=40)
    direction: str = Field("", max_length=20)
    source_publisher: str = Field("", max_length=2000)
    source_title: str = Field("", max_length=2000)
    source_url: str = Field("", max_length=2000)
    source_year: str = Field("", max_length=10)
    note: str = Field("", max_length=5000)
    action: Literal["save", "delete"] = "save"


@router.get("/kpis/{kpi_id}/reference-range", name="kpi_reference_range")
def range_form(kpi_id: int, request: Request, session: SessionDep, principal: PageAdmin) -> Response:
    definition = kpi_definition_or_404(session, kpi_id)
    stored = _stored(session, definition)
    fields = RangeForm(
        low=_number(stored.low) if stored else "",
        high=_number(stored.high) if stored else "",
        direction=stored.direction if stored else "",
        source_publisher=stored.source_publisher if stored else "",
        source_title=stored.source_title if stored else "",
        source_url=(stored.source_url or "") if stored else "",
        source_year=str(stored.source_year or "") if stored else "",
        note=(stored.note or "") if stored else "",
    )
    return _form(request, definition, fields, stored is not None)


@router.post("/kpis/{kpi_id}/reference-range", dependencies=[Depends(verify_csrf)])
def save(
    kpi_id: int,
    request: Request,
    session: SessionDep,
    principal: PageAdmin,
    form: Annotated[RangeForm, Form()],
) -> Response:
    definition = kpi_definition_or_404(session, kpi_id)
    if form.action == "delete":
        with session.begin_nested():
            delete_reference_range(session, definition.kpi_name)
        flash(request, f"Removed the reference range of {definition.kpi_name}.")
        return RedirectResponse(request.url_for("kpi_definitions").path, status_code=303)
    year = form.source_year.strip()
    if year and not year.isdigit():
        problems = [f"source_year: {year!r} is not a year (accepted: a year such as 2024, or nothing)"]
        return _form(request, definition, form, _stored(session, definition) is not None, problems, 422)
    given = RangeInput(
        low=form.low,
        high=form.high,
        direction=form.direction or None,
        source_publisher=form.source_publisher,
        source_title=form.source_title,
        source_url=form.source_url,
        source_year=int(year) if year else None,
        note=form.note,
    )
    try:
        with session.begin_nested():
            set_reference_range(session, definition.kpi_name, given)
    except InvalidInput as error:
        problems = [str(problem) for problem in error.problems]
        return _form(request, definition, form, _stored(session, definition) is not None, problems, 422)
    flash(request, f"Saved the reference range of {definition.kpi_name}; the SmartNumbers page and report show it.")
    return RedirectResponse(request.url_for("kpi_definitions").path, status_code=303)


def _stored(session: SessionDep, definition: KpiDefinition) -> KpiReferenceRange | None:
    query = select(KpiReferenceRange).where(KpiReferenceRange.kpi_name == definition.kpi_name)
    found: KpiReferenceRange | None = session.scalar(query)
    return found


def _number(value: object) -> str:
    return "" if value is None else f"{value:f}".rstrip("0").rstrip(".")


def _form(
    request: Request,
    definition: KpiDefinition,
    fields: RangeForm,
    exists: bool,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "nav": "kpis",
        "definition": definition,
        "fields": fields,
        "exists": exists,
        "problems": problems or [],
        "directions": DIRECTION_CHOICES,
    }
    return render(request, "kpi_reference_range.html", context, status_code=status_code)
