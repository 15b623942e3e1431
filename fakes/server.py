"""A real HTTP server on 127.0.0.1 (random port, own thread) that the vendor fakes build on, with fault injection.

Faults are queued and matched by path: answer N requests with a status (500, 429 with ``Retry-After``…), answer
with malformed JSON, or die — drop every connection without answering — from some request on.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakeRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def form(self) -> dict[str, str]:
        return {key: values[-1] for key, values in parse_qs(self.body.decode(), keep_blank_values=True).items()}


@dataclass
class FakeResponse:
    status: int = 200
    body: Any = None  # JSON-encoded unless ``raw`` is given
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return b"" if self.body is None else json.dumps(self.body).encode()


# A delayed request is answered normally afterwards; this marker says so.
_ANSWER_NORMALLY = FakeResponse(status=0)

Handler = Callable[[FakeRequest, re.Match[str]], FakeResponse]


@dataclass
class Fault:
    remaining: int
    path_contains: str
    respond: Callable[[], FakeResponse | None]  # None: drop the connection without an answer


class FakeVendorServer:
    """Routes, fault injection and a log of every request; ``url`` is ``http://127.0.0.1:<port>``."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock  # token expiry; tests share a hand-moved clock with the client
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.requests: list[FakeRequest] = []
        self._dead_after: int | None = None
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------------------------

    def start(self) -> Self:
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real vendors do
            timeout = 10
            disable_nagle_algorithm = True  # headers and body go out in two writes; do not wait between them

            def do_GET(self) -> None:
                server._dispatch(self)

            do_POST = do_PUT = do_DELETE = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start the fake first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    # --- routing -----------------------------------------------------------------------------------------------

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(pattern + r"\Z"), handler))

    # --- faults ------------------------------------------------------------------------------------------------

    def fail_next(
        self,
        count: int,
        *,
        status: int = 500,
        body: Any = None,
        headers: dict[str, str] | None = None,
        path_contains: str = "",
    ) -> None:
        """Answer the next ``count`` matching requests with ``status``."""
        response = FakeResponse(status, body if body is not None else {"message": "injected failure"}, headers or {})
        self._add_fault(count, path_contains, lambda: response)

    def malformed_next(self, count: int = 1, *, path_contains: str = "") -> None:
        """Answer the next ``count`` matching requests with 200 and a body that is not JSON."""
        self._add_fault(count, path_contains, lambda: FakeResponse(200, raw=b'{"truncated": [1, 2,'))

    def drop_next(self, count: int = 1, *, path_contains: str = "") -> None:
        """Close the connection without answering the next ``count`` matching requests."""
        self._add_fault(count, path_contains, lambda: None)

    def delay_next(self, count: int, seconds: float, *, path_contains: str = "") -> None:
        """Hold the next ``count`` matching requests for ``seconds`` before answering normally (for timeouts)."""

        def respond() -> FakeResponse | None:
            time.sleep(seconds)
            return None if self._httpd is None else _ANSWER_NORMALLY

        self._add_fault(count, path_contains, respond)

    def die_after(self, served: int) -> None:
        """Serve ``served`` more requests, then drop every connection unanswered, as a crashed server would."""
        with self._lock:
            self._dead_after = len(self.requests) + served

    def revive(self) -> None:
        with self._lock:
            self._dead_after = None
            self._faults.clear()

    def _add_fault(self, count: int, path_contains: str, respond: Callable[[], FakeResponse | None]) -> None:
        with self._lock:
            self._faults.append(Fault(count, path_contains, respond))

    def _take_fault(self, request: FakeRequest) -> Fault | None:
        with self._lock:
            if self._dead_after is not None and len(self.requests) > self._dead_after:
                return Fault(1, "", lambda: None)
            for fault in self._faults:
                if fault.remaining > 0 and fault.path_contains in request.path:
                    fault.remaining -= 1
                    return fault
        return None

    # --- dispatch ----------------------------------------------------------------------------------------------

    def _dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        request = FakeRequest(
            method=handler.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=handler.rfile.read(length) if length else b"",
        )
        with self._lock:
            self.requests.append(request)
        fault = self._take_fault(request)
        response = fault.respond() if fault else self._route(request)
        if response is _ANSWER_NORMALLY:
            response = self._route(request)
        if response is None:
            handler.close_connection = True
            return
        payload = response.encoded()
        handler.send_response(response.status)
        handler.send_header("Content-Type", response.content_type)
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def _route(self, request: FakeRequest) -> FakeResponse:
        for method, pattern, route_handler in self._routes:
            match = pattern.match(request.path)
            if match and method == request.method:
                return route_handler(request, match)
        return self.not_found(request)

    def not_found(self, request: FakeRequest) -> FakeResponse:
        return FakeResponse(404, {"message": f"no route for {request.method} {request.path}"})

    def paths_requested(self, contains: str = "") -> list[str]:
        with self._lock:
            return [r.path for r in self.requests if contains in r.path]
