"""The dashboard API answers with ETags and 304s, and serves repeated reads from the view cache: fresh after every
write, separate for every scope and edition."""

from __future__ import annotations

# ruff: noqa: F811  (``acme`` is the fixture imported from test_dashboard)
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from qbr.core.lru import BytesLRU
from tests.api.conftest import Headers, KeyFactory
from tests.api.test_dashboard import acme  # noqa: F401  (the fixture: Acme's 15 months)
from tests.support import make_organization

PERIOD = {"period": "2025-Q1"}


def read(client: TestClient, organization_id: int, headers: Headers, etag: str | None = None) -> Response:
    extra = {"If-None-Match": etag} if etag else {}
    return client.get(f"/api/v1/organizations/{organization_id}/dashboard", params=PERIOD, headers=headers | extra)


def rhem(response: Response) -> Any:
    return next(kpi["kpi_value"] for kpi in response.json()["kpis"] if kpi["kpi_name"] == "RHEM")


def cache(app: FastAPI) -> BytesLRU:
    view_cache: BytesLRU = app.state.view_cache
    return view_cache


class TestConditionalDashboard:
    def test_an_unchanged_read_has_the_same_etag_and_answers_304(
        self,
        client: TestClient,
        viewer: Headers,
        acme: int,
    ) -> None:
        first = read(client, acme, viewer)
        assert first.status_code == 200
        etag = first.headers["etag"]
        assert etag.startswith('"')
        assert etag.endswith('"')
        assert not etag.startswith("W/")
        assert first.headers["cache-control"] == "private, no-cache"
        again = read(client, acme, viewer)
        assert again.headers["etag"] == etag
        assert again.content == first.content
        for validator in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            unchanged = read(client, acme, viewer, validator)
            assert unchanged.status_code == 304, validator
            assert unchanged.content == b""
            assert unchanged.headers["etag"] == etag
            assert unchanged.headers["cache-control"] == "private, no-cache"
        assert read(client, acme, viewer, '"something else"').status_code == 200

    def test_a_write_through_the_api_gives_new_figures_and_a_new_etag(
        self,
        client: TestClient,
        viewer: Headers,
        editor: Headers,
        acme: int,
    ) -> None:
        before = read(client, acme, viewer)
        assert rhem(before) == 0.35
        item = {
            "period": "2025-03",
            "organization_id": acme,
            "metric_name": "Reactive Hours",
            "metric_value": 75,
            "source_system": "Manual",
        }
        written = client.post("/api/v1/metrics/monthly", json={"items": [item]}, headers=editor)
        assert written.status_code == 200, written.text
        after = read(client, acme, viewer, before.headers["etag"])
        assert after.status_code == 200
        assert after.headers["etag"] != before.headers["etag"]
        assert rhem(after) == 0.45  # (30 + 30 + 75) / 100 / 3
        assert read(client, acme, viewer, after.headers["etag"]).status_code == 304

    def test_a_review_edit_changes_the_etag_of_its_organization_only(
        self,
        client: TestClient,
        session: Session,
        viewer: Headers,
        editor: Headers,
        acme: int,
    ) -> None:
        other = make_organization(session, "Bravo Ltd").id
        session.commit()
        etags = {org: read(client, org, viewer).headers["etag"] for org in (acme, other)}
        edited = client.put(f"/api/v1/organizations/{acme}/reviews/2025-Q1", json={"summary": "Calm."}, headers=editor)
        assert edited.status_code == 200, edited.text
        assert read(client, acme, viewer, etags[acme]).status_code == 200
        assert read(client, other, viewer, etags[other]).status_code == 304

    def test_a_repeated_read_comes_from_the_cache(
        self,
        app: FastAPI,
        client: TestClient,
        viewer: Headers,
        acme: int,
    ) -> None:
        first = read(client, acme, viewer)
        stats = cache(app).stats()
        second = read(client, acme, viewer)
        assert cache(app).stats().hits == stats.hits + 1
        assert second.content == first.content
        forecast = client.get(
            f"/api/v1/organizations/{acme}/dashboard", params=PERIOD | {"forecast": "true"}, headers=viewer
        )
        assert forecast.headers["etag"] != first.headers["etag"]  # the query is part of what a response shows

    @pytest.mark.parametrize("entries", [0])
    def test_without_a_cache_every_read_is_built(
        self,
        app: FastAPI,
        client: TestClient,
        viewer: Headers,
        acme: int,
        entries: int,
    ) -> None:
        app.state.view_cache = BytesLRU(entries, 1024)
        first, second = read(client, acme, viewer), read(client, acme, viewer)
        assert first.content == second.content
        assert cache(app).stats().entries == 0


class TestScopes:
    def test_client_and_internal_editions_never_share_an_etag_or_an_entry(
        self,
        app: FastAPI,
        client: TestClient,
        session: Session,
        make_key: KeyFactory,
        acme: int,
    ) -> None:
        make_organization(session, "Northwind IT", is_msp=True)
        session.commit()
        staff = make_key("viewer", name="staff")
        client_user = make_key("viewer", [acme], name="acme's own")
        internal, external = read(client, acme, staff), read(client, acme, client_user)
        assert internal.json()["edition"] == "internal"
        assert external.json()["edition"] == "client"
        assert internal.headers["etag"] != external.headers["etag"]
        assert read(client, acme, client_user, internal.headers["etag"]).status_code == 200
        assert read(client, acme, staff, external.headers["etag"]).status_code == 200
        assert cache(app).stats().entries == 2
        again = read(client, acme, client_user)
        assert again.json()["edition"] == "client"
        assert again.content == external.content

    def test_two_scopes_that_both_see_an_organization_do_not_share(
        self,
        app: FastAPI,
        client: TestClient,
        session: Session,
        make_key: KeyFactory,
        acme: int,
    ) -> None:
        other = make_organization(session, "Bravo Ltd").id
        session.commit()
        narrow = make_key("viewer", [acme], name="narrow")
        wide = make_key("viewer", [acme, other], name="wide")
        first, second = read(client, acme, narrow), read(client, acme, wide)
        assert first.headers["etag"] != second.headers["etag"]
        assert read(client, acme, wide, first.headers["etag"]).status_code == 200
        assert cache(app).stats().entries == 2

    def test_an_invisible_organization_is_missing_before_any_etag(
        self,
        client: TestClient,
        session: Session,
        make_key: KeyFactory,
        acme: int,
    ) -> None:
        other = make_organization(session, "Bravo Ltd").id
        session.commit()
        narrow = make_key("viewer", [other], name="narrow")
        response = read(client, acme, narrow, "*")
        assert response.status_code == 404
        assert "etag" not in response.headers


class TestCost:
    def test_a_304_costs_the_credentials_lookup_and_one_read_of_the_versions(
        self, engine: Engine, client: TestClient, viewer: Headers, acme: int
    ) -> None:
        etag = read(client, acme, viewer).headers["etag"]
        statements: list[str] = []

        def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")):
                statements.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert read(client, acme, viewer, etag).status_code == 304
        finally:
            event.remove(engine, "before_cursor_execute", count)
        # the key with its recent-failure flag (one statement), then the data versions
        assert len(statements) == 2, statements
        assert "data_versions" in statements[1]
