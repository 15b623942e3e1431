"""The brand as stored: one row; an empty field falls back to the environment's default."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from qbr.core.orm import Base

BRAND_ROW_ID = 1


class BrandSetting(Base):
    """The MSP's brand as set on the settings page; there is only ever the row with id 1."""

    __tablename__ = "brand_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    msp_name: Mapped[str | None] = mapped_column(String(200))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_content_type: Mapped[str | None] = mapped_column(String(50))
    primary_colour: Mapped[str | None] = mapped_column(String(7))
    accent_colour: Mapped[str | None] = mapped_column(String(7))
    contact_line: Mapped[str | None] = mapped_column(String(300))
    footer_text: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(100))
