"""Uploading a spreadsheet (CSV or .xlsx) of monthly values: a preview first, then a commit of exactly that.

The uploaded file waits on the server's disk between the two steps under a random name; the commit names it and the
preview's token, so it writes what the page showed or nothing (``qbr.ingest.import_preview``).
"""

from __future__ import annotations

import re
import secrets
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from qbr.api.deps import SessionDep
from qbr.core.principal import Principal
from qbr.errors import Conflict, InvalidInput, NotFound, Problem
from qbr.ingest.import_preview import ImportOptions, ImportPreview, commit_import, preview_import
from qbr.organizations.models import Organization
from qbr.web.csrf import verify_csrf
from qbr.web.deps import PageEditor
from qbr.web.session import flash
from qbr.web.templating import render

router = APIRouter(prefix="/admin")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOADS = Path(tempfile.gettempdir()) / "qbr-uploads"
_UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
ACCEPTED_FILES = ".csv,.tsv,.txt,.xlsx,.xlsm"


def _options(
    principal: Principal, organization_id: str, allow_new_metrics: bool, create_orgs: bool, reopen: bool
) -> ImportOptions:
    chosen = int(organization_id) if organization_id.isdigit() else None
    if chosen is not None:
        principal.require_visible(chosen)
    # Creating organizations and catalog metrics, or changing closed months, is for the MSP's own staff.
    unscoped_admin = principal.has_role("admin") and not principal.is_scoped
    return ImportOptions(
        create_orgs=create_orgs and unscoped_admin,
        allow_new_metrics=allow_new_metrics and unscoped_admin,
        reopen=reopen and not principal.is_scoped,
        organization_id=chosen,
        visible=principal.organization_ids,
    )


@router.get("/import", name="import_page")
def import_page(request: Request, session: SessionDep, principal: PageEditor) -> Response:
    return _page(request, session, principal, preview=None, form={})


@router.post("/import", dependencies=[Depends(verify_csrf)])
def upload(
    request: Request,
    session: SessionDep,
    principal: PageEditor,
    file: Annotated[UploadFile, File()],
    organization_id: Annotated[str, Form(max_length=12)] = "",
    allow_new_metrics: Annotated[bool, Form()] = False,
    create_orgs: Annotated[bool, Form()] = False,
    reopen: Annotated[bool, Form()] = False,
) -> Response:
    content = file.file.read(MAX_UPLOAD_BYTES + 1)  # a plain route: the database work below must not block the loop
    filename = Path(file.filename or "upload.csv").name[:200]
    form = {
        "organization_id": organization_id,
        "allow_new_metrics": allow_new_metrics,
        "create_orgs": create_orgs,
        "reopen": reopen,
        "filename": filename,
    }
    if len(content) > MAX_UPLOAD_BYTES:
        problem = Problem(
            "file", f"is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB", "a smaller file, or `qbr import metrics`"
        )
        return _page(request, session, principal, preview=None, form=form, problems=[problem], status_code=413)
    options = _options(principal, organization_id, allow_new_metrics, create_orgs, reopen)
    try:
        preview = preview_import(session, content, filename, options)
    except InvalidInput as error:  # the file itself cannot be read (not UTF-8, not a workbook)
        return _page(request, session, principal, preview=None, form=form, problems=error.problems, status_code=422)
    UPLOADS.mkdir(mode=0o700, parents=True, exist_ok=True)
    upload_id = secrets.token_urlsafe(24)
    (UPLOADS / upload_id).write_bytes(content)
    form["upload_id"] = upload_id
    status = 200 if preview.accepted else 422
    return _page(request, session, principal, preview=preview, form=form, status_code=status)


@router.post("/import/commit", dependencies=[Depends(verify_csrf)])
def commit(
    request: Request,
    session: SessionDep,
    principal: PageEditor,
    upload_id: Annotated[str, Form(max_length=64)],
    filename: Annotated[str, Form(max_length=200)],
    token: Annotated[str, Form(max_length=64)],
    organization_id: Annotated[str, Form(max_length=12)] = "",
    allow_new_metrics: Annotated[bool, Form()] = False,
    create_orgs: Annotated[bool, Form()] = False,
    reopen: Annotated[bool, Form()] = False,
) -> Response:
    stored = UPLOADS / upload_id
    if not _UPLOAD_ID.fullmatch(upload_id) or not stored.is_file():
        flash(
            request,
            "That upload is no longer here (the server restarted or it was imported); upload it again.",
            "error",
        )
        return RedirectResponse(request.url_for("import_page").path, status_code=303)
    options = _options(principal, organization_id, allow_new_metrics, create_orgs, reopen)
    try:
        with session.begin_nested():
            result = commit_import(session, stored.read_bytes(), filename, options, token, changed_by=principal.name)
    except (InvalidInput, Conflict, NotFound) as error:
        flash(request, f"Nothing was imported: {error}", "error")
        return RedirectResponse(request.url_for("import_page").path, status_code=303)
    stored.unlink(missing_ok=True)
    written = result.ingest
    flash(
        request,
        f"Imported {filename}: {written.inserted:,} new, {written.updated:,} changed, {written.unchanged:,} unchanged."
        + (
            f" {len(written.backfilled)} closed month(s) received a new client's first figures (recorded)."
            if written.backfilled
            else ""
        ),
    )
    organizations = {organization for organization, _ in written.recomputed}
    if len(organizations) == 1:
        return RedirectResponse(
            request.url_for("organization", organization_id=organizations.pop()).path, status_code=303
        )
    return RedirectResponse(request.url_for("overview").path, status_code=303)


def _page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    *,
    preview: ImportPreview | None,
    form: dict[str, object],
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> Response:
    organizations = list(
        session.scalars(
            select(Organization)
            .where(Organization.is_active, principal.organization_filter(Organization.id))
            .order_by(Organization.name)
        )
    )
    context = {
        "nav": "import",
        "organizations": organizations,
        "preview": preview,
        "form": form,
        "problems": [str(problem) for problem in (problems or [])],
        "accepted_files": ACCEPTED_FILES,
        "unscoped_admin": principal.has_role("admin") and not principal.is_scoped,
    }
    return render(request, "import.html", context, status_code=status_code)
