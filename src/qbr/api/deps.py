"""The dependencies every route uses: one database session per request, and the authenticated principal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Protocol

from fastapi import Depends, Request, Response, Security
from fastapi.security import APIKeyHeader
from sqlalchemy import Select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from qbr.api.listing import ItemT, ListEnvelope, ListParams, ListParamsDep, paginate
from qbr.core.database import Sessions
from qbr.core.principal import Principal, Role
from qbr.errors import NotAuthenticated

# The header an API key comes in: declared to OpenAPI here, checked by qbr.auth.authentication.
API_KEY_HEADER = "X-API-Key"
READING_METHODS = frozenset({"GET", "HEAD"})
# Declared so that the OpenAPI document (and Swagger's Authorize button) knows how to authenticate;
# the key itself is checked by the authentication middleware before the route runs.
_api_key_scheme = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="An API key from `qbr keys create`")


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One unit of work per request: commits when the route succeeds, rolls back when it raises.

    Reads (GET, HEAD) get a read-only session that sees one snapshot, so a page built from several queries never
    shows half of an import that commits meanwhile; other methods get a session that may write.

    The session is made on the event loop (it connects only when first used, in the route's thread) and ended in
    the thread pool, where the commit's round trip holds up no other request: one trip to the pool, not two; none
    when the route already ended it (a read answered from the view cache, see qbr.api.conditional).

    With a read replica, the app's ``read_router`` (``app.state.read_router``, see ``ReadRouter``) picks where reads
    go, and hears of every request that writes.
    """
    sessions: Sessions = request.app.state.sessions
    router: ReadRouter | None = getattr(request.app.state, "read_router", None)
    reads = request.method in READING_METHODS
    if not reads:
        session = sessions.writing()
    elif router is not None:
        session = await run_in_threadpool(router.reading_session, request)
    else:
        session = sessions.reading()
    try:
        yield session
    except BaseException:
        await _end(session, succeeded=False)
        raise
    if not session.in_transaction():
        # The route ended its unit of work itself, in its own thread (qbr.api.conditional), or never began one:
        # nothing is left to end, and closing touches no connection.
        session.close()
        return
    before_commit = partial(router.note_write, request) if router is not None and not reads else None
    await run_in_threadpool(_end_unit_of_work, session, succeeded=True, before_commit=before_commit)


async def _end(session: Session, *, succeeded: bool) -> None:
    if session.in_transaction():
        await run_in_threadpool(_end_unit_of_work, session, succeeded=succeeded)
    else:
        session.close()


class ReadRouter(Protocol):
    """Where reads go when the app has a read replica (``qbr.auth.read_routing.ReadYourWrites``)."""

    def reading_session(self, request: Request) -> Session: ...

    def note_write(self, request: Request, session: Session) -> None: ...


def _end_unit_of_work(
    session: Session, *, succeeded: bool, before_commit: Callable[[Session], None] | None = None
) -> None:
    """Commit (rolling back if the commit fails), or roll back what a failed route did; then close.

    ``before_commit`` runs in the unit of work just before its commit (the read router's note of a write).
    """
    try:
        if succeeded:
            if before_commit is not None:
                before_commit(session)
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# The dependencies that only look at the request are coroutines: FastAPI runs a plain function in the thread pool,
# a trip that costs more than the check itself.
async def current_principal(
    request: Request, _key: Annotated[str | None, Security(_api_key_scheme)] = None
) -> Principal:
    principal = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal):
        raise NotAuthenticated(f"authentication required: send an API key in the {API_KEY_HEADER} header")
    return principal


def require_role(role: Role) -> Callable[[Principal], Awaitable[Principal]]:
    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        principal.require_role(role)
        return principal

    dependency.__name__ = f"require_{role}"
    return dependency


# Commit before the response is sent, so a failed commit is reported to the client rather than lost.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
PrincipalDep = Annotated[Principal, Depends(current_principal)]
EditorDep = Annotated[Principal, Depends(require_role("editor"))]
AdminDep = Annotated[Principal, Depends(require_role("admin"))]


@dataclass(frozen=True)
class Listing:
    """What every list route needs: the session, the caller, and the page asked for."""

    session: Session
    principal: Principal
    params: ListParams

    def page(self, query: Select[Any], model: type[ItemT], filename: str) -> ListEnvelope[ItemT] | Response:
        return paginate(self.session, query, model, self.params, filename=filename)


async def _listing(session: SessionDep, principal: PrincipalDep, params: ListParamsDep) -> Listing:
    return Listing(session, principal, params)


ListingDep = Annotated[Listing, Depends(_listing)]
