"""Security headers on every response: the API's JSON, the dashboard's pages, error documents and the API docs.

- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and CSP ``frame-ancestors 'none'`` (no framing,
  so no clickjacking), ``Referrer-Policy: no-referrer``, ``Cross-Origin-Opener-Policy: same-origin``;
- a Content-Security-Policy by kind of response: JSON, CSV and text get ``default-src 'none'``; HTML pages may
  load scripts, styles and images from this origin only, never inline script; the third-party API docs pages
  (``/docs``, ``/redoc``) are allowed their CDN and exactly their own inline scripts (by hash); files (the QBR
  report's PDF, the logo, the stylesheet) only refuse framing, since a stricter policy breaks browsers' PDF viewers;
- ``Strict-Transport-Security`` when the request came over https (directly, or behind a proxy that uvicorn trusts
  with ``--proxy-headers``);
- ``Cache-Control: no-store`` on API responses that set no caching of their own, so private figures are never kept
  by a browser or a shared cache.

It wraps the whole application, outside the error handlers, so even an unexpected error's 500 carries the headers.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = "max-age=63072000; includeSubDomains"
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
FILE_POLICY = "frame-ancestors 'none'"
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI and ReDoc are served by this app (qbr.server.docs) and style themselves inline; their inline scripts
# are allowed by hash, and nothing from another origin is.
_DOCS_POLICY = (
    "default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
    "img-src 'self' data:; connect-src 'self'; worker-src blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def docs_policy(html: bytes) -> str:
    """The policy for a docs page: this origin, and each of its own inline scripts by SHA-256 hash."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(html)
    ]
    return _DOCS_POLICY.format(hashes=" ".join(hashes)).replace("'self' ;", "'self';")


class SecurityHeadersMiddleware:
    """Adds the headers above to every HTTP response of the wrapped application."""

    def __init__(self, app: ASGIApp, *, is_docs: Callable[[str], bool], is_api: Callable[[str], bool]) -> None:
        self.app = app
        self.is_docs = is_docs
        self.is_api = is_api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if self.is_docs(path):
            await self._buffered(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        api = self.is_api(path)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                _add(headers, https=https, api=api, policy=_policy_for(headers.get("content-type", "")))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _buffered(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Docs pages are small: hold the page back until its body is known, to hash its inline scripts."""
        start: Message | None = None
        body: list[bytes] = []

        async def collect(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            assert start is not None
            headers = MutableHeaders(scope=start)
            content = b"".join(body)
            html = headers.get("content-type", "").startswith("text/html")
            policy = docs_policy(content) if html else _policy_for(headers.get("content-type", ""))
            _add(headers, https=scope.get("scheme") == "https", api=False, policy=policy)
            await send(start)
            await send({"type": "http.response.body", "body": content})

        await self.app(scope, receive, collect)


def _policy_for(content_type: str) -> str:
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "text/html":
        return PAGE_POLICY
    if kind.startswith("text/") or kind.endswith("json") or not kind:
        return DATA_POLICY
    return FILE_POLICY


def _add(headers: MutableHeaders, *, https: bool, api: bool, policy: str) -> None:
    for name, value in _ALWAYS.items():
        headers.setdefault(name, value)
    headers.setdefault("Content-Security-Policy", policy)
    if https:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if api:
        headers.setdefault("Cache-Control", "no-store")
