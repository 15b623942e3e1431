"""``/api/v1/organizations`` and their vendor links."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import Headers, KeyFactory
from tests.api.support import assert_problem

URL = "/api/v1/organizations"


def create(client: TestClient, headers: Headers, name: str, **fields: object) -> dict[str, object]:
    response = client.post(URL, json={"name": name, **fields}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


class TestListOrganizations:
    def test_lists_sorted_by_name_with_envelope(self, client: TestClient, admin: Headers) -> None:
        for name in ("Zeta Dental", "Acme Corp", "Midway Logistics"):
            create(client, admin, name)
        body = client.get(URL, headers=admin).json()
        assert [item["name"] for item in body["items"]] == ["Acme Corp", "Midway Logistics", "Zeta Dental"]
        assert (body["total"], body["limit"], body["offset"]) == (3, 100, 0)
        assert set(body["items"][0]) == {"id", "name", "is_active", "is_msp", "created_at"}

    def test_filters(self, client: TestClient, admin: Headers) -> None:
        create(client, admin, "Our MSP", is_msp=True)
        acme = create(client, admin, "Acme Corp")
        create(client, admin, "Acme 100% Widgets")
        client.patch(f"{URL}/{acme['id']}", json={"is_active": False}, headers=admin)

        def names(**params: object) -> list[str]:
            return [item["name"] for item in client.get(URL, params=params, headers=admin).json()["items"]]

        assert names(is_msp=True) == ["Our MSP"]
        assert names(is_active=False) == ["Acme Corp"]
        assert names(name="acme") == ["Acme 100% Widgets", "Acme Corp"]
        # LIKE wildcards in the search text are literal.
        assert names(name="100%") == ["Acme 100% Widgets"]
        assert names(name="_") == []

    def test_pagination(self, client: TestClient, admin: Headers) -> None:
        for number in range(5):
            create(client, admin, f"Client {number}")
        body = client.get(URL, params={"limit": 2, "offset": 3}, headers=admin).json()
        assert [item["name"] for item in body["items"]] == ["Client 3", "Client 4"]
        assert (body["total"], body["limit"], body["offset"]) == (5, 2, 3)

    def test_limit_beyond_maximum_is_422(self, client: TestClient, admin: Headers) -> None:
        body = assert_problem(client.get(URL, params={"limit": 1001}, headers=admin), 422, location="query.limit")
        assert body["errors"][0]["accepted"] == "at most 1000"

    def test_csv_by_parameter_and_by_accept_header(self, client: TestClient, admin: Headers) -> None:
        create(client, admin, "=HYPERLINK(evil)")
        create(client, admin, "Acme Corp")
        for response in (
            client.get(URL, params={"format": "csv"}, headers=admin),
            client.get(URL, headers={**admin, "Accept": "text/csv"}),
        ):
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/csv")
            assert response.headers["x-total-count"] == "2"
            lines = response.text.splitlines()
            assert lines[0] == "id,name,is_active,is_msp,created_at"
            assert ",'=HYPERLINK(evil),true,false," in lines[1]
            assert ",Acme Corp,true,false," in lines[2]

    def test_json_wins_when_preferred(self, client: TestClient, admin: Headers) -> None:
        response = client.get(URL, headers={**admin, "Accept": "application/json, text/csv;q=0.5"})
        assert response.headers["content-type"] == "application/json"

    def test_scoped_key_sees_only_its_organizations(
        self, client: TestClient, admin: Headers, make_key: KeyFactory
    ) -> None:
        acme = create(client, admin, "Acme Corp")
        create(client, admin, "Bravo Ltd")
        scoped = make_key("viewer", [acme["id"]])
        body = client.get(URL, headers=scoped).json()
        assert [item["name"] for item in body["items"]] == ["Acme Corp"]
        assert body["total"] == 1


class TestCreateOrganization:
    def test_creates_and_says_where(self, client: TestClient, admin: Headers) -> None:
        response = client.post(URL, json={"name": "  Acme   Corp "}, headers=admin)
        assert response.status_code == 201
        body = response.json()
        assert body["name"] == "Acme Corp"
        assert body["is_active"] is True
        assert body["is_msp"] is False
        assert body["created_at"].endswith(("Z", "+00:00"))
        assert response.headers["location"] == f"/organizations/{body['id']}"

    def test_duplicate_name_is_409(self, client: TestClient, admin: Headers) -> None:
        create(client, admin, "Acme Corp")
        assert_problem(client.post(URL, json={"name": "ACME CORP"}, headers=admin), 409)

    def test_second_msp_is_409(self, client: TestClient, admin: Headers) -> None:
        create(client, admin, "Our MSP", is_msp=True)
        assert_problem(client.post(URL, json={"name": "Other MSP", "is_msp": True}, headers=admin), 409)

    def test_invalid_bodies_are_422_with_locations(self, client: TestClient, admin: Headers) -> None:
        assert_problem(client.post(URL, json={}, headers=admin), 422, location="body.name")
        assert_problem(client.post(URL, json={"name": "x" * 201}, headers=admin), 422, location="body.name")
        assert_problem(client.post(URL, json={"name": "12345"}, headers=admin), 422, location="name")
        assert_problem(client.post(URL, json={"name": "A\x00B"}, headers=admin), 422, location="body.name")
        assert_problem(
            client.post(URL, json={"name": "A", "colour": "red"}, headers=admin), 422, location="body.colour"
        )

    def test_needs_an_unscoped_admin(self, client: TestClient, editor: Headers, make_key: KeyFactory) -> None:
        assert_problem(client.post(URL, json={"name": "Acme"}, headers=editor), 403)
        acme = create(client, make_key("admin"), "Acme Corp")
        scoped_admin = make_key("admin", [acme["id"]])
        assert_problem(client.post(URL, json={"name": "Bravo"}, headers=scoped_admin), 403)


class TestGetOrganization:
    def test_gets(self, client: TestClient, admin: Headers) -> None:
        acme = create(client, admin, "Acme Corp")
        assert client.get(f"{URL}/{acme['id']}", headers=admin).json() == acme

    def test_unknown_and_out_of_scope_are_the_same_404(
        self, client: TestClient, admin: Headers, make_key: KeyFactory
    ) -> None:
        acme = create(client, admin, "Acme Corp")
        bravo = create(client, admin, "Bravo Ltd")
        scoped = make_key("viewer", [acme["id"]])
        hidden = assert_problem(client.get(f"{URL}/{bravo['id']}", headers=scoped), 404)
        missing = assert_problem(client.get(f"{URL}/999999", headers=scoped), 404)
        assert hidden["detail"].replace(str(bravo["id"]), "N") == missing["detail"].replace("999999", "N")

    def test_bad_id_is_422(self, client: TestClient, admin: Headers) -> None:
        assert_problem(client.get(f"{URL}/abc", headers=admin), 422, location="path.organization_id")
        assert_problem(client.get(f"{URL}/99999999999999999999", headers=admin), 422)


class TestUpdateOrganization:
    def test_renames_and_deactivates(self, client: TestClient, admin: Headers) -> None:
        acme = create(client, admin, "Acme Corp")
        response = client.patch(f"{URL}/{acme['id']}", json={"name": "Acme Inc", "is_active": False}, headers=admin)
        assert response.status_code == 200
        assert response.json()["name"] == "Acme Inc"
        assert response.json()["is_active"] is False

    def test_rename_onto_another_is_409_but_same_name_is_fine(self, client: TestClient, admin: Headers) -> None:
        acme = create(client, admin, "Acme Corp")
        create(client, admin, "Bravo Ltd")
        assert_problem(client.patch(f"{URL}/{acme['id']}", json={"name": "bravo ltd"}, headers=admin), 409)
        assert client.patch(f"{URL}/{acme['id']}", json={"name": "ACME Corp"}, headers=admin).status_code == 200

    def test_unknown_is_404_and_viewer_is_403(self, client: TestClient, admin: Headers, viewer: Headers) -> None:
        assert_problem(client.patch(f"{URL}/424242", json={"is_active": False}, headers=admin), 404)
        acme = create(client, admin, "Acme Corp")
        assert_problem(client.patch(f"{URL}/{acme['id']}", json={"is_active": False}, headers=viewer), 403)


class TestOrganizationLinks:
    def test_add_list_remove(self, client: TestClient, admin: Headers) -> None:
        acme = create(client, admin, "Acme Corp")
        links_url = f"{URL}/{acme['id']}/links"
        created = client.post(
            links_url,
            json={"source_system": "ConnectWise", "external_id": "250", "external_name": "Acme"},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        link = created.json()
        assert set(link) == {
            "id",
            "organization_id",
            "source_system",
            "external_id",
            "external_name",
            "created_at",
            "last_synced_at",
        }
        listing = client.get(links_url, headers=admin).json()
        assert listing["total"] == 1
        assert listing["items"][0]["external_id"] == "250"
        assert client.delete(f"{links_url}/{link['id']}", headers=admin).status_code == 204
        assert client.get(links_url, headers=admin).json()["total"] == 0
        assert_problem(client.delete(f"{links_url}/{link['id']}", headers=admin), 404)

    def test_same_vendor_id_twice_is_409(self, client: TestClient, admin: Headers) -> None:
        acme = create(client, admin, "Acme Corp")
        bravo = create(client, admin, "Bravo Ltd")
        body = {"source_system": "NinjaOne", "external_id": "17"}
        assert client.post(f"{URL}/{acme['id']}/links", json=body, headers=admin).status_code == 201
        problem = assert_problem(client.post(f"{URL}/{bravo['id']}/links", json=body, headers=admin), 409)
        assert "already linked to 'Acme Corp'" in problem["detail"]
        # Linking it again to the same organization changes nothing.
        again = client.post(f"{URL}/{acme['id']}/links", json=body, headers=admin)
        assert again.status_code == 201
        assert client.get(f"{URL}/{acme['id']}/links", headers=admin).json()["total"] == 1

    def test_unknown_source_is_422(self, client: TestClient, admin: Headers) -> None:
        acme = create(client, admin, "Acme Corp")
        body = {"source_system": "Excel", "external_id": "1"}
        problem = assert_problem(
            client.post(f"{URL}/{acme['id']}/links", json=body, headers=admin), 422, location="body.source_system"
        )
        assert "ConnectWise" in problem["errors"][0]["accepted"]

    def test_link_of_another_organization_is_404(self, client: TestClient, admin: Headers) -> None:
        acme = create(client, admin, "Acme Corp")
        bravo = create(client, admin, "Bravo Ltd")
        link = client.post(
            f"{URL}/{acme['id']}/links", json={"source_system": "QuickBooks", "external_id": "9"}, headers=admin
        ).json()
        assert_problem(client.delete(f"{URL}/{bravo['id']}/links/{link['id']}", headers=admin), 404)


class TestUnknownQueryParameters:
    def test_a_misspelt_filter_is_422_not_an_unfiltered_list(self, client: TestClient, admin: Headers) -> None:
        problem = assert_problem(
            client.get(URL, params={"is_actve": "false"}, headers=admin), 422, location="query.is_actve"
        )
        assert "is_active" in problem["errors"][0]["accepted"]
        assert "limit" in problem["errors"][0]["accepted"]
        assert_problem(client.get("/healthz", params={"verbose": "1"}), 422, location="query.verbose")
