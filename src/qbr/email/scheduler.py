"""Scheduled QBR e-mail inside ``qbr serve``: a background thread that runs ``run_due`` every
``QBR_EMAIL_CHECK_MINUTES`` (the same work as ``qbr email run-due``).

Every worker process may run this thread: intents are unique per schedule, organization, quarter and recipient,
and each message is claimed by one conditional UPDATE, so however many run, each message goes out once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from qbr.core.settings import Settings
from qbr.email.service import DueRun, run_due

logger = logging.getLogger("qbr.email.scheduler")
STARTUP_DELAY_SECONDS = 60.0


class EmailScheduler:
    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        every_seconds: float,
        run: Callable[[Engine, Settings, date], DueRun] = run_due,
        today: Callable[[], date] | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.every_seconds = every_seconds
        self._run = run
        self._today = today
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def today(self) -> date:
        if self._today is not None:
            return self._today()
        return datetime.now(ZoneInfo(self.settings.business_timezone)).date()

    def tick(self) -> DueRun:
        run = self._run(self.engine, self.settings, self.today())
        if run.recorded or run.report.sent or run.report.failed:
            logger.info(
                "scheduled e-mail: %d recorded, %d sent, %d failed",
                run.recorded,
                len(run.report.sent),
                len(run.report.failed),
            )
        return run

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="qbr-email", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        # A short pause first: a server that is restarted in a loop should not hammer the SMTP server.
        self._stop.wait(min(STARTUP_DELAY_SECONDS, self.every_seconds))
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                # A failed round must not end the thread: the outbox keeps every intent for the next one.
                logger.exception("scheduled e-mail failed")
            self._stop.wait(self.every_seconds)


def email_scheduler_from_settings(engine: Engine, settings: Settings) -> EmailScheduler | None:
    """The scheduler, or None when QBR_EMAIL_CHECK_MINUTES is 0."""
    if settings.email_check_minutes == 0:
        return None
    return EmailScheduler(engine, settings, every_seconds=settings.email_check_minutes * 60)
