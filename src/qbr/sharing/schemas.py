"""Request and response bodies of share links: views of a link (its review version, state and openings), not rows
of one table, hence ``…Item``, ``…Detail`` and ``…Issued`` rather than the table-shaped ``…Public``."""

from __future__ import annotations

from pydantic import Field

from qbr.core.schema import MAX_ID, InputSchema, Schema, Timestamp
from qbr.periods.calendar import PERIOD_MAX_LENGTH
from qbr.sharing.service import DEFAULT_DAYS, MAX_DAYS


class ShareLinkRequest(InputSchema):
    organization_id: int = Field(ge=1, le=MAX_ID)
    period: str = Field(
        pattern=r"^\d{4}-(Q[1-4]|(0[1-9]|1[0-2]))$", max_length=PERIOD_MAX_LENGTH, description="The review's period."
    )
    days: int = Field(default=DEFAULT_DAYS, ge=1, le=MAX_DAYS, description="Days until the link expires.")


class ShareLinkOpeningItem(Schema):
    opened_at: Timestamp
    what: str
    client_address: str | None
    user_agent: str | None


class ShareLinkItem(Schema):
    id: int
    organization_id: int
    period: str
    version: int
    created_at: Timestamp
    created_by: str
    expires_at: Timestamp
    revoked_at: Timestamp | None
    state: str  # active, expired or revoked
    opening_count: int
    last_opened_at: Timestamp | None


class ShareLinkDetail(ShareLinkItem):
    openings: list[ShareLinkOpeningItem]


class ShareLinkIssued(ShareLinkItem):
    url: str = Field(description="The link itself: shown in this response only, stored only as a hash.")
