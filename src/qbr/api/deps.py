"""The dependencies every route uses: one database session per request, and the authenticated principal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response, Security
from fastapi.security import APIKeyHeader
from sqlalchemy import Select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from qbr.api.listing import ItemT, ListEnvelope, ListParams, ListParamsDep, paginate
from qbr.api.read_routing import has_replica, note_write, reading_session
from qbr.api.security import API_KEY_HEADER
from qbr.auth.principal import Principal, Role
from qbr.core.database import Sessions
from qbr.errors import NotAuthenticated

READING_METHODS = frozenset({"GET", "HEAD"})
# Declared so that the OpenAPI document (and Swagger's Authorize button) knows how to authenticate;
# the key itself is checked by the authentication middleware before the route runs.
_api_key_scheme = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="An API key from `qbr keys create`")


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One unit of work per request: commits when the route succeeds, rolls back when it raises.

    Reads (GET, HEAD) get a read-only session that sees one snapshot, so a page built from several queries never
    shows half of an import that commits meanwhile; other methods get a session that may write.

    The session is made on the event loop (it connects only when first used, in the route's thread) and ended in
    the thread pool, where the commit's round trip holds up no other request: one trip to the pool, not two.

    With a read replica (QBR_DATABASE_READ_URL), reads may go there instead (``qbr.api.read_routing``), and a
    request that writes keeps its client's next reads on the primary for a few seconds.
    """
    sessions: Sessions = request.app.state.sessions
    replica = has_replica(request)
    if request.method not in READING_METHODS:
        session = sessions.writing()
    elif replica:
        session = await run_in_threadpool(reading_session, request)
    else:
        session = sessions.reading()
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_end_unit_of_work, session, succeeded=False)
        raise
    wrote = request if replica and request.method not in READING_METHODS else None
    await run_in_threadpool(_end_unit_of_work, session, succeeded=True, wrote=wrote)


def _end_unit_of_work(session: Session, *, succeeded: bool, wrote: Request | None = None) -> None:
    """Commit (rolling back if the commit fails), or roll back what a failed route did; then close.

    ``wrote``: the writing request whose client is then kept on the primary for a while (with a read replica).
    """
    try:
        if succeeded:
            if wrote is not None:
                note_write(wrote, session)
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
