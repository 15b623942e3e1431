"""The connectors on a page: settings (secrets write-only), a connection test, a sync of one month now, and the
sync log with each run's detail. For unscoped admins: a connector serves every organization."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from qbr.api.deps import SessionDep
from qbr.connectors.clients import open_client
from qbr.connectors.registry import all_connectors, connector_for, source_system
from qbr.connectors.runs import list_runs, run_detail
from qbr.connectors.settings import http_options, load_settings, store_settings
from qbr.connectors.sync import requested_periods, sync_sources
from qbr.core.principal import Principal
from qbr.errors import InvalidInput, QbrError
from qbr.periods.calendar import PERIOD_MAX_LENGTH
from qbr.web.csrf import verify_csrf
from qbr.web.deps import PagePrincipal
from qbr.web.session import flash
from qbr.web.templating import render

router = APIRouter(prefix="/admin")
MAX_SETTING_LENGTH = 2000  # a URL, a key, a list of classes: far below this
SHOWN_RUNS = 30


def page_connector_admin(principal: PagePrincipal) -> Principal:
    principal.require_unscoped("admin", "configuring connectors")
    return principal


ConnectorAdmin = Annotated[Principal, Depends(page_connector_admin)]


def _back(request: Request) -> RedirectResponse:
    return RedirectResponse(request.url_for("admin_connectors").path, status_code=303)


@router.get("/connectors", name="admin_connectors")
def connectors_page(request: Request, session: SessionDep, principal: ConnectorAdmin) -> Response:
    # Every connector the registry knows, with the settings it declares.
    connectors = [(load_settings(session, c.source), c.settings) for c in all_connectors()]
    runs = [(run, run_detail(run)) for run in list_runs(session, limit=SHOWN_RUNS)]
    return render(request, "admin_connectors.html", {"nav": "connectors", "connectors": connectors, "runs": runs})


async def form_data(request: Request) -> FormData:
    """The whole form, for the settings whose fields differ by connector (read once; FastAPI keeps it)."""
    return await request.form()


@router.post("/connectors/{source}/settings", dependencies=[Depends(verify_csrf)])
def save_settings(
    request: Request,
    session: SessionDep,
    principal: ConnectorAdmin,
    source: str,
    form: Annotated[FormData, Depends(form_data)],
) -> Response:
    name = source_system(source[:20])
    try:
        assignments = _assignments(name, form)
    except InvalidInput as error:
        flash(request, f"Nothing was saved: {error}", "error")
        return _back(request)
    if not assignments:
        flash(request, f"Nothing to save for {name}: every field was left empty.", "error")
        return _back(request)
    try:
        with session.begin_nested():
            keys = store_settings(session, name, assignments)
    except InvalidInput as error:
        flash(request, "Nothing was saved: " + "; ".join(str(p) for p in error.problems), "error")
    else:
        flash(request, f"Saved for {name}: {', '.join(keys)}. Secrets are stored encrypted and never shown again.")
    return _back(request)


def _assignments(source: str, form: FormData) -> dict[str, str]:
    """The settings typed in: an empty field leaves the stored value as it is (a secret is never shown to edit)."""
    assignments = {}
    for spec in connector_for(source).settings:
        value = form.get(spec.key)
        if isinstance(value, str) and value.strip():
            if len(value) > MAX_SETTING_LENGTH:
                raise InvalidInput.single(spec.key, f"is {len(value)} characters long", f"at most {MAX_SETTING_LENGTH}")
            assignments[spec.key] = value.strip()
    return assignments


@router.post("/connectors/{source}/test", dependencies=[Depends(verify_csrf)])
def test_connection(request: Request, session: SessionDep, principal: ConnectorAdmin, source: str) -> Response:
    name = source_system(source[:20])
    settings = load_settings(session, name)
    session.commit()  # a QuickBooks test saves the rotated refresh token in a unit of work of its own
    try:
        with open_client(settings, engine=request.app.state.engine, options=http_options()) as client:
            flash(request, f"{name}: connected ({client.check()}).")
    except QbrError as error:
        flash(request, str(error) if str(error).startswith(name) else f"{name}: {error}", "error")
    return _back(request)


@router.post("/connectors/{source}/sync", dependencies=[Depends(verify_csrf)])
def sync_now(
    request: Request,
    session: SessionDep,
    principal: ConnectorAdmin,
    source: str,
    period: Annotated[str, Form(max_length=PERIOD_MAX_LENGTH)] = "",
) -> Response:
    """Sync one month of one connector now; the page returns when it is done, with what it wrote."""
    name = source_system(source[:20])
    try:
        periods = requested_periods(session, period=period.strip() or None)
        # The sync writes in its own units of work: this request's must not hold the database meanwhile.
        session.commit()
        report = sync_sources(request.app.state.engine, sources=[name], periods=periods)
    except QbrError as error:
        flash(request, f"{name}: {error}", "error")
        return _back(request)
    for outcome in report.outcomes:
        if outcome.succeeded:
            text = f"{name} {outcome.period}: {outcome.rows_written} values written, {outcome.unchanged} unchanged"
            flash(
                request,
                text
                + (f", {outcome.unmapped_count} unmapped records (see the log)." if outcome.unmapped_count else "."),
            )
        else:
            flash(request, f"{name} {outcome.period} failed: {outcome.error}", "error")
    return _back(request)
