"""Connector connection settings (secrets encrypted) and the log of sync runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from qbr.core.orm import Base, IntPk


class ConnectorSetting(Base):
    """One setting of one source; secret values are stored encrypted with a key derived from QBR_SECRET_KEY."""

    __tablename__ = "connector_settings"
    __table_args__ = (UniqueConstraint("source_system", "setting_key"),)

    id: Mapped[IntPk]
    source_system: Mapped[str] = mapped_column(String(50))
    setting_key: Mapped[str] = mapped_column(String(100))
    setting_value: Mapped[str] = mapped_column(Text)
    is_secret: Mapped[bool] = mapped_column(Boolean, server_default=false())
    updated_at: Mapped[datetime]


class SyncRun(Base):
    """One sync of one source for one period: all-or-nothing, so one row says what happened to it."""

    __tablename__ = "sync_runs"
    __table_args__ = (CheckConstraint("status IN ('running', 'succeeded', 'failed')", name="status"),)

    id: Mapped[IntPk]
    source_system: Mapped[str] = mapped_column(String(50), index=True)
    period: Mapped[str] = mapped_column(String(7))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    rows_written: Mapped[int] = mapped_column(Integer, server_default="0")
    unmapped_count: Mapped[int] = mapped_column(Integer, server_default="0")
    unmapped_detail: Mapped[str | None] = mapped_column(Text)  # JSON list of the unmapped external records
    error: Mapped[str | None] = mapped_column(Text)
