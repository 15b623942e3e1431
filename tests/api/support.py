"""Assertions shared by the API tests."""

from __future__ import annotations

from typing import Any

import httpx2


def assert_problem(response: httpx2.Response, status: int, *, location: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem document with ``status`` (and a problem at ``location``)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["type"]
    assert body["instance"] == response.request.url.path
    if location is not None:
        locations = [error["location"] for error in body["errors"]]
        assert location in locations, locations
    return body
