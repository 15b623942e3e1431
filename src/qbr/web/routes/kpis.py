"""The KPI definitions editor: every SmartNumber's formula, unit, direction, audience, description and whether it
is a key KPI.

A formula is validated against the whole catalog (syntax, unknown names, cycles) before anything is saved; the
form can also check a formula without saving it, and the page's script checks it while it is typed.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, RedirectResponse, Response

from qbr.api.deps import SessionDep
from qbr.errors import Conflict, InvalidInput, NotFound
from qbr.kpis.reference_ranges import reference_ranges_by_kpi
from qbr.kpis.service import add_kpi, list_kpi_definitions, update_kpi, validate_catalog_formula
from qbr.metrics.models import UNITS, KpiDefinition
from qbr.web.csrf import verify_csrf
from qbr.web.deps import PageAdmin, PagePrincipal
from qbr.web.session import flash
from qbr.web.templating import render

router = APIRouter()
DIRECTION_CHOICES = (("higher_is_better", "Higher is better"), ("lower_is_better", "Lower is better"), ("", "None"))
AUDIENCE_CHOICES = (
    ("client", "Client: in the client edition of pages and reports"),
    ("internal", "Internal: only the MSP's staff see it"),
)


@router.get("/kpis", name="kpi_definitions")
def kpi_list(request: Request, session: SessionDep, principal: PageAdmin) -> Response:
    context = {"nav": "kpis", "kpis": list_kpi_definitions(session), "ranges": reference_ranges_by_kpi(session)}
    return render(request, "kpis.html", context)


@router.get("/kpis/formula-check", name="kpi_formula_check")
def formula_check(
    session: SessionDep,
    principal: PagePrincipal,
    formula: Annotated[str, Query(max_length=200)],
    kpi_name: Annotated[str, Query(max_length=100)] = "",
) -> JSONResponse:
    """What the form's script shows while a formula is typed: valid (and which names it uses) or why not."""
    return JSONResponse(_check(session, kpi_name or "(new KPI)", formula))


class KpiForm(BaseModel):
    """The KPI form's fields; ``action`` is which button was pressed: save, or only check the formula."""

    kpi_name: str = Field("", max_length=100)
    formula: str = Field(max_length=200)
    unit: str = Field(max_length=20)
    direction: str = Field("", max_length=20)
    description: str = Field("", max_length=2000)
    # None when the form did not send it: an edit then keeps the audience, a new KPI starts internal.
    audience: Literal["client", "internal"] | None = None
    is_key: bool = False
    action: Literal["save", "check"] = "save"

    def fields(self) -> dict[str, object]:
        return self.model_dump(exclude={"action"})

    def changes(self) -> dict[str, object]:
        """The form as ``update_kpi`` changes (empty direction and description mean none)."""
        changes: dict[str, object] = {
            "formula": self.formula,
            "unit": self.unit,
            "direction": self.direction or None,
            "description": self.description.strip() or None,
            "is_key": self.is_key,
        }
        return changes | ({"audience": self.audience} if self.audience else {})


KpiFormDep = Annotated[KpiForm, Form()]


@router.get("/kpis/new", name="kpi_new")
def new_form(request: Request, principal: PageAdmin) -> Response:
    return _form(request, None, KpiForm(formula="", unit="count", audience="internal").fields())


@router.post("/kpis/new", dependencies=[Depends(verify_csrf)])
def create(request: Request, session: SessionDep, principal: PageAdmin, form: KpiFormDep) -> Response:
    if form.action == "check":
        return _form(request, None, form.fields(), check=_check(session, form.kpi_name or "(new KPI)", form.formula))
    try:
        with session.begin_nested():
            created = add_kpi(
                session,
                form.kpi_name,
                form.formula,
                unit=form.unit,
                direction=form.direction or None,
                description=form.description.strip() or None,
                audience=form.audience or "internal",
                is_key=form.is_key,
            )
    except (InvalidInput, Conflict) as error:
        return _refused(request, None, form.fields(), error)
    flash(request, f"Added the KPI {created.kpi_name}; it has been computed for every period with data.")
    return RedirectResponse(request.url_for("kpi_definitions").path, status_code=303)


@router.get("/kpis/{kpi_id}/edit", name="kpi_edit")
def edit_form(kpi_id: int, request: Request, session: SessionDep, principal: PageAdmin) -> Response:
    definition = kpi_definition_or_404(session, kpi_id)
    return _form(request, definition, _fields(definition))


@router.post("/kpis/{kpi_id}/edit", dependencies=[Depends(verify_csrf)])
def save(kpi_id: int, request: Request, session: SessionDep, principal: PageAdmin, form: KpiFormDep) -> Response:
    definition = kpi_definition_or_404(session, kpi_id)
    fields = form.fields() | {"kpi_name": definition.kpi_name}
    if form.action == "check":
        return _form(request, definition, fields, check=_check(session, definition.kpi_name, form.formula))
    try:
        with session.begin_nested():
            update_kpi(session, definition.kpi_name, form.changes())
    except (InvalidInput, Conflict) as error:
        return _refused(request, definition, fields, error)
    flash(request, f"Saved the KPI {definition.kpi_name}; its values were recomputed where the formula changed.")
    return RedirectResponse(request.url_for("kpi_definitions").path, status_code=303)


def kpi_definition_or_404(session: Session, kpi_id: int) -> KpiDefinition:
    """The KPI definition a page's address names (shared by the KPI and reference-range pages)."""
    definition = session.get(KpiDefinition, kpi_id)
    if definition is None:
        raise NotFound(f"no KPI definition with id {kpi_id}")
    return definition


def _fields(definition: KpiDefinition) -> dict[str, object]:
    return {
        "kpi_name": definition.kpi_name,
        "formula": definition.formula,
        "unit": definition.unit,
        "direction": definition.direction or "",
        "description": definition.description or "",
        "audience": definition.audience,
        "is_key": definition.is_key,
    }


def _check(session: Session, kpi_name: str, formula: str) -> dict[str, object]:
    try:
        parsed = validate_catalog_formula(session, kpi_name, formula)
    except InvalidInput as error:
        return {"ok": False, "message": str(error), "names": []}
    names = ", ".join(f"[{name}]" for name in parsed.names) or "no names"
    return {"ok": True, "message": f"The formula is valid; it uses {names}.", "names": list(parsed.names)}


def _refused(
    request: Request, definition: KpiDefinition | None, fields: dict[str, object], error: InvalidInput | Conflict
) -> Response:
    problems = [str(p) for p in error.problems] if isinstance(error, InvalidInput) else [str(error)]
    status = 422 if isinstance(error, InvalidInput) else 409
    return _form(request, definition, fields, problems=problems, status_code=status)


def _form(
    request: Request,
    definition: KpiDefinition | None,
    fields: dict[str, object],
    *,
    problems: list[str] | None = None,
    check: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "nav": "kpis",
        "definition": definition,
        "fields": fields,
        "problems": problems or [],
        "check": check,
        "units": UNITS,
        "directions": DIRECTION_CHOICES,
        "audiences": AUDIENCE_CHOICES,
    }
    return render(request, "kpi_edit.html", context, status_code=status_code)
