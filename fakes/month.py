"""A calendar month in a business time zone, and the timestamp format the fakes store, for filling the fakes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def iso(moment: datetime) -> str:
    """``moment`` as the vendors write timestamps: UTC, to the second, with a ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Month:
    """A calendar month in a business time zone, from its first local midnight to the next month's."""

    start: datetime
    end: datetime

    @classmethod
    def current(cls, zone_name: str) -> Month:
        zone = ZoneInfo(zone_name)
        today = datetime.now(zone).date()
        first = today.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return cls(datetime.combine(first, time(0), zone), datetime.combine(following, time(0), zone))

    @property
    def period(self) -> str:
        return f"{self.start.year:04d}-{self.start.month:02d}"

    @property
    def quarter(self) -> str:
        return f"{self.start.year:04d}-Q{(self.start.month - 1) // 3 + 1}"

    def day(self, number: int) -> date:
        return self.start.date().replace(day=number)

    def at(self, days: float = 0, hours: float = 0) -> datetime:
        return self.start + timedelta(days=days, hours=hours)

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end
