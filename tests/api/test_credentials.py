"""``/api/v1/api-keys`` and ``/api/v1/users``: credentials managed over the API by unscoped admins."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import Headers, KeyFactory
from tests.api.support import assert_problem

KEYS = "/api/v1/api-keys"
USERS = "/api/v1/users"


def an_organization(client: TestClient, admin: Headers, name: str = "Acme Corp") -> int:
    organization_id: int = client.post("/api/v1/organizations", json={"name": name}, headers=admin).json()["id"]
    return organization_id


class TestApiKeysEndpoints:
    def test_create_shows_the_key_once_and_it_works(self, client: TestClient, admin: Headers) -> None:
        acme = an_organization(client, admin)
        response = client.post(
            KEYS, json={"name": "dashboard tv", "role": "viewer", "organization_ids": [acme]}, headers=admin
        )
        assert response.status_code == 201, response.text
        assert response.headers["cache-control"] == "no-store"
        created = response.json()
        assert created["key"].startswith(created["key_prefix"] + "_")
        assert created["organization_ids"] == [acme]
        new_key = {"X-API-Key": created["key"]}
        assert client.get("/api/v1/organizations", headers=new_key).json()["total"] == 1
        listing = client.get(KEYS, headers=admin).json()
        assert listing["total"] == 2
        assert created["key"] not in str(listing)
        assert all("key" not in item and "key_hash" not in item for item in listing["items"])
        shown = next(item for item in listing["items"] if item["id"] == created["id"])
        assert shown["last_used_at"] is not None

    def test_revoke_then_the_key_fails_and_revoking_again_is_409(self, client: TestClient, admin: Headers) -> None:
        created = client.post(KEYS, json={"name": "temp", "role": "editor"}, headers=admin).json()
        revoked = client.delete(f"{KEYS}/{created['id']}", headers=admin)
        assert revoked.status_code == 200
        assert revoked.json()["revoked_at"] is not None
        assert_problem(client.get(KEYS, headers={"X-API-Key": created["key"]}), 401)
        assert_problem(client.delete(f"{KEYS}/{created['id']}", headers=admin), 409)
        assert_problem(client.delete(f"{KEYS}/999999", headers=admin), 404)
        active = client.get(KEYS, params={"include_revoked": False}, headers=admin).json()
        assert created["id"] not in [item["id"] for item in active["items"]]

    def test_invalid_requests_are_422(self, client: TestClient, admin: Headers) -> None:
        assert_problem(client.post(KEYS, json={"name": "x", "role": "root"}, headers=admin), 422, location="body.role")
        assert_problem(
            client.post(KEYS, json={"name": "x", "role": "viewer", "organization_ids": [4242]}, headers=admin),
            422,
            location="organization_ids",
        )

    def test_scoped_admins_and_editors_may_not(self, client: TestClient, admin: Headers, make_key: KeyFactory) -> None:
        acme = an_organization(client, admin)
        assert_problem(client.get(KEYS, headers=make_key("admin", [acme])), 403)
        assert_problem(client.post(KEYS, json={"name": "x", "role": "admin"}, headers=make_key("editor")), 403)

    def test_csv(self, client: TestClient, admin: Headers) -> None:
        lines = client.get(KEYS, params={"format": "csv"}, headers=admin).text.splitlines()
        assert lines[0] == "id,name,key_prefix,role,created_at,last_used_at,revoked_at,organization_ids"
        assert ",admin key," in lines[1]


class TestUsersEndpoints:
    def test_create_list_update(self, client: TestClient, admin: Headers) -> None:
        acme = an_organization(client, admin)
        body = {
            "username": "Gina@Example.com",
            "password": "a long password",
            "role": "viewer",
            "organization_ids": [acme],
        }
        response = client.post(USERS, json=body, headers=admin)
        assert response.status_code == 201, response.text
        user = response.json()
        assert user["username"] == "gina@example.com"
        assert user["organization_ids"] == [acme]
        assert "password" not in user
        assert "password_hash" not in user
        changes = {"role": "editor", "is_active": False, "all_organizations": True}
        updated = client.patch(f"{USERS}/{user['id']}", json=changes, headers=admin).json()
        assert (updated["role"], updated["is_active"], updated["organization_ids"]) == ("editor", False, [])
        listing = client.get(USERS, headers=admin).json()
        assert [item["username"] for item in listing["items"]] == ["gina@example.com"]
        assert "$argon2" not in str(listing)

    def test_refusals(self, client: TestClient, admin: Headers) -> None:
        body = {"username": "hank", "password": "a long password", "role": "viewer"}
        assert client.post(USERS, json=body, headers=admin).status_code == 201
        assert_problem(client.post(USERS, json=body, headers=admin), 409)
        assert_problem(client.post(USERS, json={**body, "username": "ivy", "password": "short"}, headers=admin), 422)
        assert_problem(client.post(USERS, json={**body, "username": "has space"}, headers=admin), 422)
        assert_problem(client.patch(f"{USERS}/999999", json={"is_active": False}, headers=admin), 404)
        user_id = client.get(USERS, headers=admin).json()["items"][0]["id"]
        assert_problem(
            client.patch(f"{USERS}/{user_id}", json={"role": None}, headers=admin), 422, location="body.role"
        )

    def test_an_empty_list_never_lifts_a_users_limit(self, client: TestClient, admin: Headers) -> None:
        acme = an_organization(client, admin)
        body = {"username": "scoped", "password": "a long password", "role": "editor", "organization_ids": [acme]}
        user_id = client.post(USERS, json=body, headers=admin).json()["id"]
        url = f"{USERS}/{user_id}"
        problem = assert_problem(client.patch(url, json={"organization_ids": []}, headers=admin), 422)
        assert "all_organizations" in problem["errors"][0]["accepted"]
        both = {"organization_ids": [acme], "all_organizations": True}
        assert_problem(client.patch(url, json=both, headers=admin), 422, location="all_organizations")
        assert client.get(USERS, headers=admin).json()["items"][0]["organization_ids"] == [acme]
        lifted = client.patch(url, json={"all_organizations": True}, headers=admin)
        assert lifted.json()["organization_ids"] == []
