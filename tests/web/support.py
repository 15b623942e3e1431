"""Helpers for page tests: parsing HTML, signing in through the real form, reading the CSRF token."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def csrf_from(html: str) -> str:
    field = soup(html).find("input", attrs={"name": "csrf_token"})
    assert isinstance(field, Tag), "the page has no CSRF field"
    value = field.get("value")
    assert isinstance(value, str)
    assert value
    return value


def sign_in(client: TestClient, username: str, password: str = PASSWORD, next_url: str = "/") -> None:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "next": next_url, "csrf_token": csrf_from(form.text)},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == next_url


def page_csrf(client: TestClient, path: str = "/") -> str:
    """The CSRF token of the signed-in session, read from a page's forms as a browser would."""
    return csrf_from(client.get(path).text)


def text_of(node: Tag | None) -> str:
    assert node is not None
    return " ".join(node.get_text(" ").split())
