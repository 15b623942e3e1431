"""Response bodies for sync runs and connector status; fields are the column names. Secrets have no field here."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from qbr.core.schema import Schema, Timestamp
from qbr.sources import ConnectorSource

RunStatus = Literal["running", "succeeded", "failed"]


class UnmappedRecord(BaseModel):
    kind: str = Field(description="company, organization, customer or device")
    external_id: str
    name: str
    records: int


class UnmappedAccount(BaseModel):
    account_id: str
    account: str
    amount: str = Field(description="The P&L amount not mapped to any metric, as exact decimal text.")


class SyncRunDetail(BaseModel):
    """What a run could not attribute: external ids linked to no organization, unmapped P&L accounts, notes."""

    records: list[UnmappedRecord] = []
    more_records: int = 0
    accounts: list[UnmappedAccount] = []
    notes: list[str] = []

    def __str__(self) -> str:  # one CSV cell
        return self.model_dump_json()


class SyncRunPublic(Schema):
    id: int
    source_system: str
    period: str
    started_at: Timestamp
    finished_at: Timestamp | None
    status: str
    rows_written: int
    unmapped_count: int
    unmapped_detail: SyncRunDetail | None
    error: str | None

    @field_validator("unmapped_detail", mode="before")
    @classmethod
    def _parse_stored_json(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return None
        return value


# The two below are computed views, not rows: a setting's effective value comes from the environment, the
# database or a default. Where a field is a column of connector_settings it keeps the column's name.
class ConnectorSettingState(BaseModel):
    setting_key: str
    setting_value: str | None = Field(description="null for secrets, which are never returned; see is_set")
    is_secret: bool
    is_set: bool
    origin: Literal["environment", "database", "default", "unset"]
    env_var: str


class ConnectorStatus(BaseModel):
    source_system: ConnectorSource
    is_configured: bool
    missing: list[str] = Field(description="Required settings that have no value yet.")
    settings: list[ConnectorSettingState]
    account_map: dict[str, str] = Field(description="QuickBooks: P&L account name or id → metric name.")
    refresh_token_expires_at: Timestamp | None
    links: int = Field(description="Organization links to this source.")
    last_run: SyncRunPublic | None
    last_success_at: Timestamp | None
