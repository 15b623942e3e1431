"""E-mail tests: the real database fixtures, seeded QBR data, and the SMTP settings pointing at a test server."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine

from qbr.core.database import unit_of_work
from qbr.core.settings import get_settings
from qbr.reviews.schemas import ReviewUpdate
from qbr.reviews.service import publish_review, save_review
from tests.dashboard_support import QUARTER, SeededData, seed_qbr_data
from tests.email.smtp_server import SmtpServer, running_smtp_server

SENDER = "Bright IT <qbr@bright-it.example>"
PUBLIC_URL = "https://qbr.bright-it.example"


PUBLISHED_SUMMARY = "Acme had a steady quarter.\n\nA second paragraph that stays out of the e-mail."


@pytest.fixture
def data(engine: Engine) -> SeededData:
    """The seeded figures, with the 2025-Q1 reviews of Acme and Globex published (Initech's is not)."""
    with unit_of_work(engine) as session:
        seeded = seed_qbr_data(session)
        for organization_id in (seeded.acme, seeded.organization_ids["Globex"]):
            save_review(session, organization_id, QUARTER, ReviewUpdate(summary=PUBLISHED_SUMMARY), "ada")
            publish_review(session, organization_id, QUARTER, "ada")
        return seeded


@pytest.fixture
def use_server(monkeypatch: pytest.MonkeyPatch) -> Callable[[SmtpServer], dict[str, str]]:
    """Point the settings at ``server``; returns the environment, for subprocesses."""

    def point(server: SmtpServer, **extra: str) -> dict[str, str]:
        values = {
            "QBR_SMTP_HOST": server.host,
            "QBR_SMTP_PORT": str(server.port),
            "QBR_SMTP_SECURITY": "none",
            "QBR_SMTP_FROM": SENDER,
            "QBR_SMTP_TIMEOUT_SECONDS": "10",
            "QBR_PUBLIC_URL": PUBLIC_URL,
            "QBR_EMAIL_BACKOFF_SECONDS": "0",
            "QBR_EMAIL_CLAIM_SECONDS": "2",
            **extra,
        }
        for key, value in values.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        return values

    return point


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server
