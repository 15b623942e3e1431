"""Sign in and sign out: a login form under the failure limit of ``verify_sign_in``, both forms CSRF-protected."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from qbr.api.deps import SessionDep
from qbr.auth.authentication import verify_sign_in
from qbr.errors import NotAuthenticated, TooManyAttempts
from qbr.web.csrf import verify_csrf
from qbr.web.session import flash, page_session_principal, sign_in, sign_out
from qbr.web.templating import render

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (``//evil``, ``https://…``, ``\\evil``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", name="login")
def login_form(request: Request, session: SessionDep, next: str = "/") -> Response:
    if page_session_principal(request, session) is not None:
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
    context = {"next_url": safe_next(next), "username": username}
    try:
        user = verify_sign_in(request, session, username, password)
    except TooManyAttempts as exc:
        headers = {"Retry-After": str(exc.retry_after)}
        error = f"Too many failed sign-ins. Try again in {exc.retry_after} seconds."
        return render(request, "login.html", {**context, "error": error}, status_code=429, headers=headers)
    except NotAuthenticated:
        error = "Wrong username or password, or the account is disabled."
        return render(request, "login.html", {**context, "error": error}, status_code=401)
    sign_in(request, session, user)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", name="logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request, session: SessionDep) -> Response:
    sign_out(request, session)
    flash(request, "You are signed out.")
    # Pages with data may be kept by this browser (``private, no-cache``: revalidated on every use, see
    # qbr.web.caching); signing out drops them, so Back shows nothing of them after sign-out.
    headers = {"Clear-Site-Data": '"cache"'}
    return RedirectResponse(request.url_for("login").path, status_code=303, headers=headers)
