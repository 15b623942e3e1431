"""A real SMTP server for the tests: aiosmtpd on a free loopback port, recording each message it accepts.

It can refuse authentication, refuse a recipient, answer 451 a number of times, or hold a message without answering
(to kill the sender while the server has not accepted it).
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Behaviour:
    refuse_recipients: set[str] = field(default_factory=set)
    temporary_failures: int = 0  # answer 451 to this many RCPT commands first
    hold_from_message: int | None = None  # hold the Nth message (1-based) and every later one without answering


class RecordingHandler:
    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.accepted = threading.Condition(self.lock)
        self.holding = threading.Event()
        self.release = threading.Event()
        self.data_count = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.behaviour.refuse_recipients:
            return "550 5.1.1 no such mailbox here"
        if self.behaviour.temporary_failures > 0:
            self.behaviour.temporary_failures -= 1
            return "451 4.3.0 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.data_count += 1
            number = self.data_count
        hold = self.behaviour.hold_from_message
        if hold is not None and number >= hold:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
            # The sender is gone by now: the message was never accepted, as for a real server.
            return "451 4.4.2 connection lost before the message was accepted"
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default)
        with self.accepted:
            self.messages.append(message)  # type: ignore[arg-type]
            self.accepted.notify_all()
        return "250 2.0.0 accepted"

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        with self.accepted:
            self.accepted.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.messages)


class LoopbackController(Controller):
    """aiosmtpd warns on every connection when AUTH is required without TLS, which is the point on loopback."""

    def factory(self) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return super().factory()


def _refuse_everyone(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    return AuthResult(success=False, handled=False)


def _accept(username: str, password: str) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            username.encode(),
            password.encode(),
        )
        return AuthResult(success=ok, handled=False)

    return check


@contextmanager
def running_smtp_server(
    behaviour: Behaviour | None = None, *, credentials: tuple[str, str] | None = None, refuse_auth: bool = False
) -> Iterator[SmtpServer]:
    handler = RecordingHandler(behaviour or Behaviour())
    options: dict[str, Any] = {}
    if refuse_auth or credentials:
        options = {
            "authenticator": _refuse_everyone if refuse_auth else _accept(*credentials),  # type: ignore[misc]
            "auth_required": True,
            "auth_require_tls": False,  # loopback only, in a test
        }
    port = free_port()
    controller = LoopbackController(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        handler.release.set()
        controller.stop()
