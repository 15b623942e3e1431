"""The e-mail scheduler of ``qbr serve``: each tick is one ``run-due`` for the business day, and two schedulers (two
workers) ticking one after the other still send each message once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from qbr.core.settings import get_settings
from qbr.email.scheduler import EmailScheduler, email_scheduler_from_settings
from tests.dashboard_support import SeededData
from tests.email.smtp_server import SmtpServer
from tests.email.test_email_delivery import UsesServer, deliveries, qbr


def test_two_workers_ticking_send_each_message_once(
    engine: Engine, data: SeededData, smtp_server: SmtpServer, use_server: UsesServer
) -> None:
    use_server(smtp_server)
    qbr("email", "recipients", "add", "Acme Corp", "ceo@acme.example", "cfo@acme.example")
    qbr("email", "schedule", "add", "--business-day", "1")
    # 2025-Q1 is the quarter that ended last, seen from Wednesday 2 April 2025 (its 2nd business day after).
    workers = [
        EmailScheduler(engine, get_settings(), every_seconds=60, today=lambda: date(2025, 4, 2)) for _ in range(2)
    ]
    runs = [worker.tick() for worker in workers]
    assert [run.recorded for run in runs] == [2, 0]
    assert len(smtp_server.messages) == 2
    assert [d.status for d in deliveries(engine)] == ["sent", "sent"]


def test_the_interval_comes_from_the_settings(engine: Engine, use_server: UsesServer, smtp_server: SmtpServer) -> None:
    use_server(smtp_server, QBR_EMAIL_CHECK_MINUTES="5")
    scheduler = email_scheduler_from_settings(engine, get_settings())
    assert scheduler is not None
    assert scheduler.every_seconds == 300
    use_server(smtp_server, QBR_EMAIL_CHECK_MINUTES="0")
    assert email_scheduler_from_settings(engine, get_settings()) is None
