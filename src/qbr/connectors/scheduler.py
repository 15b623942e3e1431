"""The daily sync inside ``qbr serve``: a background thread that runs :func:`run_scheduled_sync` once a day at
``QBR_SYNC_DAILY_AT`` (HH:MM, business time zone).

Every worker process of every machine serving the same database runs this thread; each day's run is claimed with
one conditional UPDATE, so exactly one of them does the work. A process started after the day's time catches up
at once if nobody has run that day yet, as a systemd timer with ``Persistent=true`` would.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from qbr.connectors.models import ConnectorSetting
from qbr.connectors.sync import SyncReport, run_scheduled_sync
from qbr.core.database import unit_of_work
from qbr.core.dialect import dialect_insert
from qbr.core.settings import Settings, get_settings

logger = logging.getLogger("qbr.connectors.scheduler")
# A row of connector_settings outside the connectors' sources holds the last day claimed.
CLAIM_SOURCE = "Scheduler"
CLAIM_KEY = "daily_sync_claimed_for"
RECHECK_SECONDS = 3600.0  # wake at least hourly, so clock changes and DST cannot make a day be skipped


def claim_daily_run(session: Session, day: date) -> bool:
    """True for the first caller to claim ``day``; every other caller, in any process, gets False."""
    session.execute(
        dialect_insert(session, ConnectorSetting)
        .values(
            source_system=CLAIM_SOURCE,
            setting_key=CLAIM_KEY,
            setting_value="",
            is_secret=False,
            updated_at=datetime.now(UTC),
        )
        .on_conflict_do_nothing(index_elements=["source_system", "setting_key"])
    )
    result = session.execute(
        update(ConnectorSetting)
        .where(
            ConnectorSetting.source_system == CLAIM_SOURCE,
            ConnectorSetting.setting_key == CLAIM_KEY,
            ConnectorSetting.setting_value < day.isoformat(),  # ISO dates sort as text
        )
        .values(setting_value=day.isoformat(), updated_at=datetime.now(UTC))
    )
    return bool(getattr(result, "rowcount", 0))


class DailySyncScheduler:
    def __init__(
        self,
        engine: Engine,
        at: time,
        *,
        timezone: str | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        run: Callable[[Engine], SyncReport] | None = None,
    ) -> None:
        self.engine = engine
        self.at = at
        self.zone = ZoneInfo(timezone or get_settings().business_timezone)
        self._now = now
        self._run = run or run_scheduled_sync
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def due_at(self, day: date) -> datetime:
        return datetime.combine(day, self.at, self.zone)

    def tick(self) -> SyncReport | None:
        """Run the day's sync if it is due and no one has claimed it; returns its report, or None."""
        local_now = self._now().astimezone(self.zone)
        if local_now < self.due_at(local_now.date()):
            return None
        with unit_of_work(self.engine) as session:
            if not claim_daily_run(session, local_now.date()):
                return None
        logger.info("daily sync of %s starting", local_now.date())
        report = self._run(self.engine)
        logger.info(
            "daily sync of %s done: %d run(s), %d failed",
            local_now.date(),
            len(report.outcomes),
            len(report.failed),
        )
        return report

    def seconds_until_next(self) -> float:
        local_now = self._now().astimezone(self.zone)
        due = self.due_at(local_now.date())
        if local_now >= due:
            due = self.due_at(local_now.date() + timedelta(days=1))
        return max(1.0, min(RECHECK_SECONDS, (due - local_now).total_seconds()))

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="qbr-daily-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                # A failed day must not end the thread; the next day (or restart) tries again.
                logger.exception("the daily sync failed")
            self._stop.wait(self.seconds_until_next())


def scheduler_from_settings(engine: Engine) -> DailySyncScheduler | None:
    """The scheduler ``QBR_SYNC_DAILY_AT`` asks for, or None when it is not set."""
    daily_at = Settings().sync_daily_at  # read as the app starts, not from the cache of an earlier read
    if not daily_at:
        return None
    hours, minutes = (int(part) for part in daily_at.split(":"))
    return DailySyncScheduler(engine, time(hours, minutes))
