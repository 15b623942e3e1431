"""Conditional requests and the view cache of every face that builds a view: the dashboard API, the organization,
overview and print pages, the PDF and the deck.

A response's strong ETag is a hash of what it shows: the view and its parameters (path and query), the scope of
the principal (which decides the edition and what an overview lists), the data versions it depends on
(qbr.core.versions), today's date (a quarter in progress says so), the app's version and its settings. A request
whose ``If-None-Match`` names it gets 304 after one read of the versions, before anything is built.

Otherwise the built view comes from the process's bounded LRU (``app.state.view_cache``, qbr.core.lru) when
another request built it from the same versions, keyed the same way but without the per-request parts: the cache
holds only bytes (serialized views, rendered reports), so each hit is a fresh copy nobody else can change.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import date
from typing import TypeVar

from fastapi import Request, Response
from sqlalchemy.orm import Session

from qbr import __version__
from qbr.api.deps import READING_METHODS
from qbr.core.lru import BytesLRU
from qbr.core.principal import Principal
from qbr.core.settings import Settings
from qbr.core.versions import view_fingerprint

CACHE_CONTROL = "private, no-cache"
# A response that must be neither stored nor revalidated (it shows a one-time message).
NO_STORE = {"Cache-Control": "no-store"}
T = TypeVar("T")

# Settings that hold secrets (a database URL may carry a password): they change no view (another database has
# other data versions), and their values never go into a hash that leaves the server.
_SECRET_SETTINGS = frozenset({"secret_key", "smtp_password", "smtp_username", "database_url", "database_read_url"})


def new_view_cache(settings: Settings) -> BytesLRU:
    return BytesLRU(settings.view_cache_entries, settings.view_cache_megabytes * 1024 * 1024)


def app_identity(settings: Settings) -> str:
    """What every view of this app depends on besides the data: its version and its settings (the MSP's name,
    the time zone…), so that an upgrade or a new setting never answers 304 with the old page."""
    shown = settings.model_dump_json(exclude=set(_SECRET_SETTINGS))
    return f"{__version__}:{_digest(shown)}"


def scope_text(principal: Principal) -> str:
    """The principal's organization scope: it decides the edition (qbr.dashboard.edition) and what lists show."""
    ids = principal.organization_ids
    return "all" if ids is None else ",".join(str(i) for i in sorted(ids))


class Conditional:
    """One request's validator (``etag``) and its access to the view cache; see the module's docstring.

    ``depends_on``: the organizations whose data the view shows (``None``: every organization). ``personal``: what
    the response carries for this requester only (a page's signed-in name, its CSRF token): part of the ETag, never
    of the cache key. ``cacheable=False`` (a page showing a one-time message) gives neither ETag nor 304.
    """

    def __init__(
        self,
        request: Request,
        session: Session,
        principal: Principal,
        *,
        depends_on: Iterable[int] | None,
        personal: Sequence[str] = (),
        cacheable: bool = True,
    ) -> None:
        state = request.app.state
        self._request = request
        self._session = session
        self._cache: BytesLRU = state.view_cache
        self.version: tuple[str, ...] = (
            view_fingerprint(session, depends_on),
            date.today().isoformat(),
            scope_text(principal),
            state.view_identity,
        )
        query = sorted(request.query_params.multi_items())
        self.etag: str | None = (
            f'"{_digest(repr((self.version, request.url.path, query, tuple(personal))))}"' if cacheable else None
        )

    @property
    def headers(self) -> dict[str, str]:
        if self.etag is None:
            return dict(NO_STORE)
        return {"ETag": self.etag, "Cache-Control": CACHE_CONTROL}

    def not_modified(self) -> Response | None:
        """304 when the request's If-None-Match names this response's ETag (or ``*``), else None."""
        if self.etag is None or not _matches(self._request.headers.get("if-none-match"), self.etag):
            return None
        self.finish()
        return Response(status_code=304, headers=self.headers)

    def finish(self) -> None:
        """End a read's unit of work once its response is complete, here in the route's thread: the session
        dependency then has nothing left to do, which spares every cached read a trip to the thread pool."""
        if self._request.method in READING_METHODS:
            self._session.commit()

    def cached_bytes(self, kind: str, parts: Sequence[Hashable], build: Callable[[], bytes]) -> bytes:
        """The bytes ``build`` makes for (``kind``, ``parts``) from these data versions, built at most once."""
        key = (kind, *parts, *self.version)
        found = self._cache.get(key)
        if found is None:
            found = build()
            self._cache.put(key, found)
        return found

    def cached_object(self, kind: str, parts: Sequence[Hashable], build: Callable[[], T]) -> T:
        """``cached_bytes`` for a built view object: kept pickled, so every caller gets its own copy."""
        pickled = self.cached_bytes(kind, parts, lambda: pickle.dumps(build(), protocol=pickle.HIGHEST_PROTOCOL))
        # The bytes were pickled by this process, from its own objects, and never left its memory.
        found: T = pickle.loads(pickled)  # noqa: S301
        return found


def respond_bytes(conditional: Conditional, content: bytes, media_type: str, **headers: str) -> Response:
    conditional.finish()
    return Response(content, media_type=media_type, headers={**headers, **conditional.headers})


def _matches(header: str | None, etag: str) -> bool:
    # If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x".
    if not header:
        return False
    return any(
        candidate.strip() == "*" or candidate.strip().removeprefix("W/") == etag for candidate in header.split(",")
    )


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
