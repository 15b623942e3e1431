"""Client organizations (and the MSP itself) and their ids in the vendor systems."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint, false, text, true
from sqlalchemy.orm import Mapped, mapped_column

from qbr.core.orm import Base, CreatedAt, IntPk


class Organization(Base):
    __tablename__ = "organizations"
    __table_args__ = (
        # At most one organization is the MSP itself (its own SmartNumbers, company-wide figures).
        Index(
            "uq_organizations_single_msp",
            "is_msp",
            unique=True,
            sqlite_where=text("is_msp"),
            postgresql_where=text("is_msp"),
        ),
    )

    id: Mapped[IntPk]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    is_msp: Mapped[bool] = mapped_column(Boolean, server_default=false())
    created_at: Mapped[CreatedAt]


class OrganizationLink(Base):
    """One organization's id in one vendor system (ConnectWise company, NinjaOne organization, QBO customer)."""

    __tablename__ = "organization_links"
    __table_args__ = (UniqueConstraint("source_system", "external_id"),)

    id: Mapped[IntPk]
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    source_system: Mapped[str] = mapped_column(String(50))
    external_id: Mapped[str] = mapped_column(String(100))
    external_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[CreatedAt]
    last_synced_at: Mapped[datetime | None]
