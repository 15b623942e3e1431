"""QBR e-mail against a real SMTP server on loopback: scheduled runs send one message per due organization with the
PDF attached and the link in the body, a second run sends nothing, a sender killed mid-run never causes a message to
be sent twice or skipped, and refusals (credentials, recipients) are clear errors in the log."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlalchemy import Engine, select

from qbr.cli import app as cli
from qbr.core.database import unit_of_work
from qbr.email.models import EmailAttempt, EmailDelivery
from tests.dashboard_support import SeededData
from tests.email.conftest import PUBLIC_URL
from tests.email.smtp_server import Behaviour, SmtpServer, running_smtp_server

# 2025-Q1 ends on Monday 31 March 2025; its 3rd business day after is Thursday 3 April.
BEFORE_DUE, DUE = "2025-04-02", "2025-04-04"
UsesServer = Callable[..., dict[str, str]]


def qbr(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def deliveries(engine: Engine) -> list[EmailDelivery]:
    with unit_of_work(engine, read_only=True) as session:
        return list(session.scalars(select(EmailDelivery).order_by(EmailDelivery.id)))


def attempts(engine: Engine) -> list[tuple[int, str, str | None]]:
    with unit_of_work(engine, read_only=True) as session:
        rows = session.scalars(select(EmailAttempt).order_by(EmailAttempt.id))
        return [(row.delivery_id, row.outcome, row.error) for row in rows]


def set_up_schedule(recipients: dict[str, list[str]]) -> None:
    for organization, addresses in recipients.items():
        qbr("email", "recipients", "add", organization, *addresses)
    qbr("email", "schedule", "add", "--business-day", "3")


class TestScheduledRun:
    def test_one_message_per_due_organization_then_nothing(
        self, engine: Engine, data: SeededData, smtp_server: SmtpServer, use_server: UsesServer
    ) -> None:
        use_server(smtp_server)
        set_up_schedule({"Acme Corp": ["ceo@acme.example"], "Globex": ["it@globex.example"]})  # Initech has none

        assert "0 new message(s)" in qbr("email", "run-due", "--today", BEFORE_DUE)
        assert smtp_server.messages == []

        output = qbr("email", "run-due", "--today", DUE)
        assert "sent 2" in output
        messages = smtp_server.messages
        assert sorted(str(m["To"]) for m in messages) == ["ceo@acme.example", "it@globex.example"]
        acme = next(m for m in messages if m["To"] == "ceo@acme.example")
        assert "Acme Corp" in str(acme["Subject"])
        body = acme.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        assert "Acme had a steady quarter." in body
        assert "second paragraph" not in body
        assert f"{PUBLIC_URL}/share/" in body
        (attachment,) = list(acme.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        pdf = PdfReader(io.BytesIO(attachment.get_content()))
        assert "Acme Corp" in pdf.pages[0].extract_text()
        assert {d.message_id for d in deliveries(engine)} == {str(m["Message-ID"]).strip() for m in messages}

        output = qbr("email", "run-due", "--today", DUE)
        assert "0 new message(s) recorded; sent 0" in output
        assert len(smtp_server.messages) == 2
        assert [d.status for d in deliveries(engine)] == ["sent", "sent"]


@pytest.mark.commits  # the sender runs in a subprocess, on its own connection
class TestKilledMidRun:
    def test_a_killed_sender_neither_duplicates_nor_skips(
        self, engine: Engine, database_url: str, data: SeededData, use_server: UsesServer, tmp_path: Path
    ) -> None:
        recipients = {"Acme Corp": ["ceo@acme.example", "cfo@acme.example"], "Globex": ["it@globex.example"]}
        with running_smtp_server(Behaviour(hold_from_message=2)) as server:
            environment = use_server(server)
            set_up_schedule(recipients)
            command = [str(Path(sys.executable).parent / "qbr"), "email", "run-due", "--today", DUE]
            env = {**os.environ, **environment, "QBR_DATABASE_URL": database_url}
            process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            try:
                assert len(server.handler.wait_for(1)) == 1  # the first message is accepted…
                assert server.handler.holding.wait(30)  # …and the second is on the wire, not yet accepted
                deadline = time.monotonic() + 30
                while [d.status for d in deliveries(engine)][:2] != ["sent", "sending"]:
                    assert time.monotonic() < deadline, [d.status for d in deliveries(engine)]
                    time.sleep(0.05)
            finally:
                process.send_signal(signal.SIGKILL)
                process.communicate(timeout=30)  # also closes its pipes
            assert process.returncode == -signal.SIGKILL
            server.handler.release.set()
            server.handler.behaviour.hold_from_message = None
            assert len(server.messages) == 1
            assert [d.status for d in deliveries(engine)] == ["sent", "sending", "pending"]

            time.sleep(2.2)  # the dead sender's claim (QBR_EMAIL_CLAIM_SECONDS=2) runs out
            qbr("email", "run-due", "--today", DUE)
            qbr("email", "run-due", "--today", DUE)

            received = [str(m["Message-ID"]).strip() for m in server.messages]
            recorded = deliveries(engine)
            assert sorted(received) == sorted(d.message_id for d in recorded)  # each exactly once
            assert len(received) == len(set(received)) == 3
            assert [d.status for d in recorded] == ["sent", "sent", "sent"]
            interrupted = [a for a in attempts(engine) if a[1] == "interrupted"]
            assert [a[0] for a in interrupted] == [recorded[1].id]
            assert "same Message-ID" in (interrupted[0][2] or "")


class TestRefusals:
    def test_refused_authentication_is_a_clear_error_in_the_log(
        self, engine: Engine, data: SeededData, use_server: UsesServer
    ) -> None:
        with running_smtp_server(refuse_auth=True) as server:
            use_server(server, QBR_SMTP_USERNAME="qbr", QBR_SMTP_PASSWORD="wrong")
            result = CliRunner().invoke(cli, ["email", "send", "Acme Corp", "2025-Q1", "--to", "ceo@acme.example"])
            assert result.exit_code != 0
            assert server.messages == []
        (delivery,) = deliveries(engine)
        assert delivery.status == "failed"
        assert "refused the user name or password" in (delivery.last_error or "")
        assert "535" in (delivery.last_error or "")
        assert [outcome for _, outcome, _ in attempts(engine)] == ["failed"]
        assert "refused the user name or password" in qbr("email", "log")

    def test_a_refused_recipient_fails_and_a_busy_one_is_retried(
        self, engine: Engine, data: SeededData, use_server: UsesServer
    ) -> None:
        behaviour = Behaviour(refuse_recipients={"nobody@acme.example"}, temporary_failures=1)
        with running_smtp_server(behaviour, credentials=("qbr", "s3cret")) as server:
            use_server(server, QBR_SMTP_USERNAME="qbr")
            qbr("email", "config", "set", "password=s3cret")  # stored encrypted, wins over the environment
            qbr("email", "recipients", "add", "Acme Corp", "ceo@acme.example", "nobody@acme.example")
            result = CliRunner().invoke(cli, ["email", "send", "Acme Corp", "2025-Q1"])
            assert result.exit_code != 0
            assert [str(m["To"]) for m in server.messages] == ["ceo@acme.example"]
        by_recipient = {d.recipient: d for d in deliveries(engine)}
        assert by_recipient["ceo@acme.example"].status == "sent"
        assert by_recipient["ceo@acme.example"].attempts == 2  # a 451 first, then accepted
        refused = by_recipient["nobody@acme.example"]
        assert refused.status == "failed"
        assert "refused the recipient" in (refused.last_error or "")
        assert "550" in (refused.last_error or "")
        outcomes = [outcome for _, outcome, _ in attempts(engine)]
        assert sorted(outcomes) == ["failed", "retry", "sent"]
