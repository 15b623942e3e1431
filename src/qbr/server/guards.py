"""A cap on the request bodies of every API route (the response headers that keep API answers out of caches and
out of content sniffing come from ``qbr.server.headers``, with the rest of the security headers)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qbr.api.problems import problem_for

# Ten thousand metric rows take about 2 MB of JSON; anything far beyond that is a mistake or an attack.
MAX_BODY_BYTES = 16 * 1024 * 1024


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit // (1024 * 1024)} MB; send fewer rows at once")


class ApiGuardMiddleware:
    def __init__(self, app: ASGIApp, *, prefix: str, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.prefix = prefix
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        declared = Request(scope).headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await problem_for(Request(scope), BodyTooLarge(self.max_body_bytes))(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            # A body sent without (or with a false) Content-Length is counted as it arrives; the route reading it
            # turns the exception into its 413 problem.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        await self.app(scope, limited_receive, send)
