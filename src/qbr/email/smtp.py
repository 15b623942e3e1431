"""Sending one message over SMTP with the standard library's ``smtplib``.

Why smtplib and not aiosmtplib: every sender here is synchronous (the CLI, the scheduler's thread), a message is
sent once and awaited, and smtplib is maintained with Python itself; an event loop would buy nothing.

Errors are sorted into two kinds, because the delivery log treats them differently:
 SmtpError
  ├── TemporaryFailure  worth retrying later: the server was unreachable, dropped the line, or answered 4xx
  └── PermanentFailure  retrying cannot help: wrong credentials, refused sender or recipient (5xx)
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from qbr.email.config import SmtpConfig


class SmtpError(Exception):
    """Sending failed; the message says what the server answered, in words an administrator can act on."""


class TemporaryFailure(SmtpError):
    pass


class PermanentFailure(SmtpError):
    pass


def _answer(code: int, text: bytes | str) -> str:
    reply = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {reply}".strip()


def _by_code(code: int, message: str) -> SmtpError:
    return TemporaryFailure(message) if 400 <= code < 500 else PermanentFailure(message)


def send_message(config: SmtpConfig, message: EmailMessage) -> None:
    """Hand ``message`` to the SMTP server; returns once the server has accepted it for every recipient."""
    where = f"{config.host}:{config.port}"
    try:
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if config.security == "tls":
            client = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        with client:
            if config.security == "starttls":
                client.starttls(context=context)
            if config.username:
                client.login(config.username, config.password or "")
            refused = client.send_message(message)
        if refused:
            details = "; ".join(f"{address}: {_answer(code, text)}" for address, (code, text) in refused.items())
            raise PermanentFailure(f"{where} refused some recipients: {details}")
    except smtplib.SMTPAuthenticationError as exc:
        raise PermanentFailure(
            f"{where} refused the user name or password ({_answer(exc.smtp_code, exc.smtp_error)}); "
            "check QBR_SMTP_USERNAME and QBR_SMTP_PASSWORD"
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise PermanentFailure(f"{where} does not support what QBR_SMTP_SECURITY asks for: {exc}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        details = "; ".join(f"{address}: {_answer(code, text)}" for address, (code, text) in exc.recipients.items())
        codes = [code for code, _ in exc.recipients.values()]
        raise _by_code(min(codes), f"{where} refused the recipient: {details}") from exc
    except smtplib.SMTPSenderRefused as exc:
        raise _by_code(
            exc.smtp_code, f"{where} refused the sender {exc.sender}: {_answer(exc.smtp_code, exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPResponseException as exc:
        raise _by_code(exc.smtp_code, f"{where} answered {_answer(exc.smtp_code, exc.smtp_error)}") from exc
    except ssl.SSLError as exc:
        raise PermanentFailure(f"TLS with {where} failed: {exc}; check QBR_SMTP_SECURITY and QBR_SMTP_PORT") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryFailure(f"could not talk to {where}: {exc or type(exc).__name__}") from exc
