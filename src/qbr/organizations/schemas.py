"""Request and response bodies for organizations and their vendor links; fields are the column names."""

from __future__ import annotations

from qbr.core.schema import InputSchema, Name100, Name200, Schema, Timestamp
from qbr.sources import ConnectorSource


class OrganizationCreate(InputSchema):
    name: Name200
    is_msp: bool = False


class OrganizationUpdate(InputSchema):
    name: Name200 | None = None
    is_active: bool | None = None
    is_msp: bool | None = None


class OrganizationPublic(Schema):
    id: int
    name: str
    is_active: bool
    is_msp: bool
    created_at: Timestamp


class OrganizationLinkCreate(InputSchema):
    source_system: ConnectorSource
    external_id: Name100
    external_name: Name200 | None = None


class OrganizationLinkPublic(Schema):
    id: int
    organization_id: int
    source_system: str
    external_id: str
    external_name: str | None
    created_at: Timestamp
    last_synced_at: Timestamp | None
