"""Sign in and sign out: a rate-limited login form, both forms CSRF-protected."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from qbr.api.deps import SessionDep
from qbr.api.security import client_address
from qbr.auth.ratelimit import FailureLimiter
from qbr.auth.users import authenticate_user
from qbr.errors import TooManyAttempts
from qbr.web.csrf import verify_csrf
from qbr.web.session import flash, session_principal, sign_in, sign_out
from qbr.web.templating import render

router = APIRouter()
# A client may fail this many times more across all usernames than with any single one.
CLIENT_ALLOWANCE_FACTOR = 5


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (``//evil``, ``https://…``, ``\\evil``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", name="login")
def login_form(request: Request, session: SessionDep, next: str = "/") -> Response:
    if session_principal(request, session) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next_url": safe_next(next), "username": "", "error": None})


@router.post("/login", dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    limiter: FailureLimiter = request.app.state.auth_limiter
    address = client_address(request)
    per_user = ("login", address, username.strip().lower())
    per_client = ("login", address)
    context = {"next_url": safe_next(next), "username": username}
    try:
        limiter.check(per_user)
        limiter.check(per_client, limit=limiter.limit * CLIENT_ALLOWANCE_FACTOR)
    except TooManyAttempts as exc:
        headers = {"Retry-After": str(exc.retry_after)}
        error = f"Too many failed sign-ins. Try again in {exc.retry_after} seconds."
        return render(request, "login.html", {**context, "error": error}, status_code=429, headers=headers)
    user = authenticate_user(session, username, password) if username and password else None
    if user is None:
        limiter.record_failure(per_user, per_client)
        error = "Wrong username or password, or the account is disabled."
        return render(request, "login.html", {**context, "error": error}, status_code=401)
    limiter.reset(per_user)
    sign_in(request, user)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", name="logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request) -> Response:
    sign_out(request)
    flash(request, "You are signed out.")
    return RedirectResponse(request.url_for("login").path, status_code=303)
