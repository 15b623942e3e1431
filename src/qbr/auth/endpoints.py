"""``/api-keys`` and ``/users``: credentials, managed by admins who are not limited to organizations."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import APIRouter, Response, status
from pydantic import BaseModel
from sqlalchemy import Select, Table, select

from qbr.api.deps import AdminDep, Listing, ListingDep, SessionDep
from qbr.api.listing import CSV_RESPONSE, ListEnvelope, fetch_page, respond
from qbr.api.lookup import get_or_404
from qbr.api.params import IdPath
from qbr.auth.keys import create_api_key, revoke_api_key
from qbr.auth.models import ApiKey, User
from qbr.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic, UserCreate, UserPublic, UserUpdate
from qbr.auth.scope import KEY_SCOPE, USER_SCOPE, load_scopes
from qbr.auth.users import create_user, update_user
from qbr.core.principal import Principal

router = APIRouter(tags=["credentials"])
PublicT = TypeVar("PublicT", bound=BaseModel)


def _manage(principal: Principal, what: str) -> None:
    principal.require_unscoped("admin", f"managing {what}")


def _public(model: type[PublicT], row: ApiKey | User, organization_ids: list[int]) -> PublicT:
    """The row's columns (the schema leaves out the hashes) and its organization scope."""
    columns = {column.key: getattr(row, column.key) for column in row.__table__.columns}
    return model.model_validate({**columns, "organization_ids": organization_ids})


def _key_public(api_key: ApiKey, organization_ids: list[int]) -> ApiKeyPublic:
    return _public(ApiKeyPublic, api_key, organization_ids)


def _user_public(user: User, organization_ids: list[int]) -> UserPublic:
    return _public(UserPublic, user, organization_ids)


def _page_with_scopes(
    listing: Listing, query: Select[Any], scope: tuple[Table, str], model: type[PublicT], filename: str
) -> ListEnvelope[PublicT] | Response:
    rows, total = fetch_page(listing.session, query, listing.params)
    scopes = load_scopes(listing.session, scope, [row.id for row in rows])
    items = [_public(model, row, scopes.get(row.id, [])) for row in rows]
    return respond(items, model, listing.params, total=total, filename=filename)


@router.get("/api-keys", response_model=ListEnvelope[ApiKeyPublic], responses=CSV_RESPONSE, summary="List API keys")
def list_api_keys(listing: ListingDep, include_revoked: bool = True) -> object:
    _manage(listing.principal, "API keys")
    query = select(ApiKey).order_by(ApiKey.id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return _page_with_scopes(listing, query, KEY_SCOPE, ApiKeyPublic, "api-keys")


@router.post("/api-keys", status_code=status.HTTP_201_CREATED, summary="Create an API key")
def create_key(body: ApiKeyCreate, session: SessionDep, principal: AdminDep, response: Response) -> ApiKeyCreated:
    _manage(principal, "API keys")
    api_key, secret = create_api_key(session, body.name, body.role, body.organization_ids)
    response.headers["Location"] = f"/api-keys/{api_key.id}"
    # The key is in this response only; never cache it anywhere on the way.
    response.headers["Cache-Control"] = "no-store"
    public = _key_public(api_key, sorted(set(body.organization_ids)))
    return ApiKeyCreated(**public.model_dump(), key=secret)


@router.delete("/api-keys/{key_id}", summary="Revoke an API key")
def revoke_key(key_id: IdPath, session: SessionDep, principal: AdminDep) -> ApiKeyPublic:
    _manage(principal, "API keys")
    api_key = revoke_api_key(session, get_or_404(session, ApiKey, key_id, "API key").id)
    return _key_public(api_key, load_scopes(session, KEY_SCOPE, [api_key.id]).get(api_key.id, []))


@router.get("/users", response_model=ListEnvelope[UserPublic], responses=CSV_RESPONSE, summary="List users")
def list_users(listing: ListingDep) -> object:
    _manage(listing.principal, "users")
    return _page_with_scopes(listing, select(User).order_by(User.username), USER_SCOPE, UserPublic, "users")


@router.post("/users", status_code=status.HTTP_201_CREATED, summary="Create a user")
def create(body: UserCreate, session: SessionDep, principal: AdminDep, response: Response) -> UserPublic:
    _manage(principal, "users")
    user = create_user(session, body.username, body.password, body.role, body.organization_ids)
    response.headers["Location"] = f"/users/{user.id}"
    return _user_public(user, sorted(set(body.organization_ids)))


@router.patch("/users/{user_id}", summary="Change a user")
def update(user_id: IdPath, body: UserUpdate, session: SessionDep, principal: AdminDep) -> UserPublic:
    _manage(principal, "users")
    user = get_or_404(session, User, user_id, "user")
    update_user(session, user, **body.changes())
    return _user_public(user, load_scopes(session, USER_SCOPE, [user.id]).get(user.id, []))
