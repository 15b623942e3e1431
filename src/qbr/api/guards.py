"""Request and response hygiene for every API route: a cap on request bodies, and headers that keep API answers
out of caches and out of content sniffing (they hold client data)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
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

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Cache-Control", "no-store")
                headers.setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        await self.app(scope, limited_receive, send_with_headers)
