"""The declarative base shared by every model, with PostgreSQL-style constraint names."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from sqlalchemy import DateTime, Integer, MetaData, Numeric, func
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every timestamp is TIMESTAMPTZ and every amount NUMERIC(12,2), as the specification says.
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTime(timezone=True), Decimal: Numeric(12, 2)}


# Column shapes the specification uses over and over.
IntPk = Annotated[int, mapped_column(Integer, primary_key=True, autoincrement=True)]
Money = Annotated[Decimal, mapped_column(Numeric(12, 2))]
CreatedAt = Annotated[datetime, mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)]

# The largest absolute value NUMERIC(12,2) holds.
NUMERIC_12_2_MAX = Decimal("9999999999.99")
