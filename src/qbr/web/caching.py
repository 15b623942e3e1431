"""Conditional requests for the pages (see qbr.api.conditional): what of a page is the requester's own.

A page carries, besides its view, the signed-in name and role, the CSRF token of the browser's session (in the
sign-out form) and, once, the messages flashed to it. The view is built once and shared, through the view cache,
by everyone with the same scope; the page around it is rendered for each request. The ETag covers the personal
parts too, so a 304 never revives a page with another session's token or name; a page showing flashed messages
gets no ETag at all (it is not stored), or revalidating it later would show the messages again.
"""

from __future__ import annotations

import hashlib

from fastapi import Request
from sqlalchemy.orm import Session

from qbr.api.conditional import Conditional
from qbr.core.principal import Principal
from qbr.web.csrf import csrf_token
from qbr.web.session import FLASH_KEY


def page_conditional(
    request: Request, session: Session, principal: Principal, *, depends_on: list[int] | None
) -> Conditional:
    """The Conditional of a page for ``principal`` showing the data of ``depends_on`` (None: every organization)."""
    has_flashes = "session" in request.scope and bool(request.session.get(FLASH_KEY))
    # The token itself never goes into a header: a digest of it tells sessions apart just as well.
    token = hashlib.blake2b(csrf_token(request).encode(), digest_size=16).hexdigest()
    personal = (principal.kind, str(principal.id), principal.name, principal.role, token)
    return Conditional(request, session, principal, depends_on=depends_on, personal=personal, cacheable=not has_flashes)
