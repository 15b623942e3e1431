"""Administering who may sign in and call the API: users and API keys with their role and organizations.

A generated password or a new key is shown once, on the page that answers the form (never in a redirect or the
session cookie), and never again. Only unscoped admins manage people and keys: a limited admin could otherwise
grant more than they have.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from qbr.api.deps import SessionDep
from qbr.auth.keys import create_api_key, list_api_keys, revoke_api_key
from qbr.auth.scope import KEY_SCOPE, USER_SCOPE, load_scopes
from qbr.auth.users import MAX_USERNAME_LENGTH, create_user, find_user, list_users, update_user
from qbr.core.principal import Principal
from qbr.errors import Conflict, InvalidInput, NotFound
from qbr.organizations.models import Organization
from qbr.web.csrf import verify_csrf
from qbr.web.deps import PagePrincipal
from qbr.web.session import flash
from qbr.web.templating import render

router = APIRouter(prefix="/admin")
ROLES = ("viewer", "editor", "admin")
FORM_ERRORS = (InvalidInput, Conflict, NotFound)
GENERATED_PASSWORD_BYTES = 15  # 20 characters, as `qbr users create --generate-password`


def page_people_admin(principal: PagePrincipal) -> Principal:
    principal.require_unscoped("admin", "managing users and API keys")
    return principal


PeopleAdmin = Annotated[Principal, Depends(page_people_admin)]
Role = Annotated[str, Form(max_length=10)]
OrganizationIds = Annotated[list[int], Form(max_length=1000)]


@router.get("/users", name="admin_users")
def users_page(request: Request, session: SessionDep, principal: PeopleAdmin) -> Response:
    return _page(request, session)


@router.post("/users", dependencies=[Depends(verify_csrf)])
def add_user(
    request: Request,
    session: SessionDep,
    principal: PeopleAdmin,
    username: Annotated[str, Form(max_length=MAX_USERNAME_LENGTH)],
    role: Role,
    organization_ids: OrganizationIds = [],  # noqa: B006 - FastAPI copies defaults per request
) -> Response:
    password = secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
    try:
        with session.begin_nested():
            user = create_user(session, username, password, role, organization_ids)
    except FORM_ERRORS as error:
        return _page(request, session, problems=_problems(error), status_code=422)
    shown = {"what": f"user {user.username}", "label": "Password", "secret": password}
    return _page(request, session, shown=shown)


@router.post("/users/{user_id}/active", dependencies=[Depends(verify_csrf)])
def set_user_active(
    request: Request, session: SessionDep, principal: PeopleAdmin, user_id: int, active: bool = Form()
) -> Response:
    user = find_user(session, user_id)
    if user.id == principal.id and principal.kind == "user" and not active:
        flash(request, "You cannot disable your own account while signed in with it.", "error")
    else:
        update_user(session, user, is_active=active)
        flash(request, f"{user.username} is {'enabled' if active else 'disabled: signed out everywhere at once'}.")
    return RedirectResponse(request.url_for("admin_users").path, status_code=303)


@router.post("/users/{user_id}/password", dependencies=[Depends(verify_csrf)])
def reset_password(request: Request, session: SessionDep, principal: PeopleAdmin, user_id: int) -> Response:
    user = find_user(session, user_id)
    password = secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
    update_user(session, user, password=password)
    return _page(request, session, shown={"what": f"user {user.username}", "label": "New password", "secret": password})


@router.post("/keys", dependencies=[Depends(verify_csrf)])
def add_key(
    request: Request,
    session: SessionDep,
    principal: PeopleAdmin,
    name: Annotated[str, Form(max_length=100)],
    role: Role,
    organization_ids: OrganizationIds = [],  # noqa: B006 - FastAPI copies defaults per request
) -> Response:
    try:
        with session.begin_nested():
            api_key, secret = create_api_key(session, name, role, organization_ids)
    except FORM_ERRORS as error:
        return _page(request, session, problems=_problems(error), status_code=422)
    shown = {"what": f"API key {api_key.key_prefix} ({api_key.name})", "label": "Key", "secret": secret}
    return _page(request, session, shown=shown)


@router.post("/keys/{key_id}/revoke", dependencies=[Depends(verify_csrf)])
def revoke_key(request: Request, session: SessionDep, principal: PeopleAdmin, key_id: int) -> Response:
    try:
        with session.begin_nested():
            api_key = revoke_api_key(session, key_id)
    except FORM_ERRORS as error:
        flash(request, str(error), "error")
    else:
        flash(request, f"API key {api_key.key_prefix} ({api_key.name}) is revoked: it no longer opens the API.")
    return RedirectResponse(request.url_for("admin_users").path, status_code=303)


def _problems(error: Exception) -> list[str]:
    return [str(p) for p in error.problems] if isinstance(error, InvalidInput) else [str(error)]


def _page(
    request: Request,
    session: SessionDep,
    *,
    shown: dict[str, str] | None = None,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    users = list_users(session)
    keys = list_api_keys(session)
    organizations = list(session.scalars(select(Organization).order_by(Organization.name)))
    names = {organization.id: organization.name for organization in organizations}
    user_scopes = load_scopes(session, USER_SCOPE, [user.id for user in users])
    key_scopes = load_scopes(session, KEY_SCOPE, [key.id for key in keys])
    context = {
        "nav": "users",
        "users": users,
        "keys": keys,
        "organizations": [organization for organization in organizations if organization.is_active],
        "user_scopes": {i: [names.get(o, str(o)) for o in ids] for i, ids in user_scopes.items()},
        "key_scopes": {i: [names.get(o, str(o)) for o in ids] for i, ids in key_scopes.items()},
        "roles": ROLES,
        "shown": shown,
        "problems": problems or [],
    }
    response = render(request, "admin_users.html", context, status_code=status_code)
    if shown is not None:
        response.headers["Cache-Control"] = "no-store"  # a secret shown once must not be kept by the browser
    return response
