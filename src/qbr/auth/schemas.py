"""Request and response bodies for API keys and users: column names, never a hash; plus their scope."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from qbr.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from qbr.auth.users import MAX_USERNAME_LENGTH, USERNAME_PATTERN
from qbr.core.schema import InputSchema, Name100, Schema, StorableText, Timestamp, optional

Role = Literal["admin", "editor", "viewer"]
OrganizationIds = Annotated[list[Annotated[int, Field(ge=1, le=2_147_483_647)]], Field(max_length=1000)]
Password = Annotated[
    str,
    StringConstraints(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH, pattern=r"^[^\x00]*$"),
    StorableText,
]
Username = Annotated[str, StringConstraints(pattern=USERNAME_PATTERN, max_length=MAX_USERNAME_LENGTH)]


class ApiKeyCreate(InputSchema):
    name: Name100
    role: Role
    organization_ids: OrganizationIds = Field(
        default_factory=list, description="Limit the key to these organizations; empty: every organization."
    )


class ApiKeyPublic(Schema):
    id: int
    name: str
    key_prefix: str
    role: str
    created_at: Timestamp
    last_used_at: Timestamp | None
    revoked_at: Timestamp | None
    organization_ids: list[int] = Field(description="The organizations the key is limited to; empty: every one.")


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The key itself: shown only in this response, store it safely.")


class UserCreate(InputSchema):
    username: Username
    password: Password
    role: Role
    organization_ids: OrganizationIds = Field(
        default_factory=list, description="Limit the user to these organizations; empty: every organization."
    )


class UserUpdate(InputSchema):
    role: Role = optional()
    is_active: bool = optional()
    password: Password = optional()
    # Never empty (refused by update_user): lifting the limit takes all_organizations, said explicitly.
    organization_ids: OrganizationIds = optional()
    all_organizations: bool = Field(
        default=False, description="true: lift the user's limit, so they see every organization."
    )


class UserPublic(Schema):
    id: int
    username: str
    role: str
    is_active: bool
    created_at: Timestamp
    last_login_at: Timestamp | None
    organization_ids: list[int] = Field(description="The organizations the user is limited to; empty: every one.")
