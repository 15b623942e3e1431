"""The ``periods`` table of the specification: every month and quarter the product knows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, String, true
from sqlalchemy.orm import Mapped, mapped_column

from qbr.core.orm import Base, IntPk

# Portable (SQLite and PostgreSQL) shape checks: 'YYYY-MM' with month 01-12, 'YYYY-Qn' with n 1-4.
MONTHLY_PERIOD_SQL = (
    "length({col}) = 7 AND substr({col}, 5, 1) = '-' AND substr({col}, 1, 4) BETWEEN '0001' AND '9999' "
    "AND substr({col}, 6, 2) BETWEEN '01' AND '12'"
)
QUARTERLY_PERIOD_SQL = (
    "length({col}) = 7 AND substr({col}, 5, 2) = '-Q' AND substr({col}, 1, 4) BETWEEN '0001' AND '9999' "
    "AND substr({col}, 7, 1) IN ('1', '2', '3', '4')"
)


class Period(Base):
    __tablename__ = "periods"
    __table_args__ = (
        CheckConstraint("period_type IN ('monthly', 'quarterly')", name="period_type"),
        CheckConstraint(
            f"(period_type = 'monthly' AND {MONTHLY_PERIOD_SQL.format(col='period_value')}) OR "
            f"(period_type = 'quarterly' AND {QUARTERLY_PERIOD_SQL.format(col='period_value')})",
            name="period_value_format",
        ),
        CheckConstraint("end_date >= start_date", name="date_order"),
    )

    id: Mapped[IntPk]
    period_type: Mapped[str] = mapped_column(String(20))
    period_value: Mapped[str] = mapped_column(String(7), unique=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    # Open (still collecting) when true; closed periods are final unless explicitly reopened.
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=true())
