"""Every page's HTML is sound for keyboards and screen readers: one h1, unique ids, every form control labelled,
every image described, every table headed, and a skip link to the main content."""

from __future__ import annotations

from collections import Counter

from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient

from tests.dashboard_support import QUARTER, SeededData
from tests.web.support import soup

PAGES = [
    "/",
    "/organizations/{acme}/qbr/" + QUARTER,
    "/organizations/{acme}/qbr/2025-03",
    "/organizations/{acme}/qbr/" + QUARTER + "/print",
    "/smartnumbers",
    "/thresholds",
    "/thresholds/edit?name=RHEM&organization_id={acme}",
    "/metrics/entry?organization_id={acme}&period=2025-03",
    "/kpis",
    "/kpis/new",
    "/kpis/1/edit",
    "/metrics/definitions",
    "/metrics/definitions/1/edit",
    "/organizations/999999/qbr/" + QUARTER,  # the 404 page
]


def labelled(control: Tag, page: BeautifulSoup) -> bool:
    if control.get("aria-label") or control.get("aria-labelledby"):
        return True
    if control.find_parent("label") is not None:
        return True
    control_id = control.get("id")
    return bool(control_id) and page.find("label", attrs={"for": control_id}) is not None


def test_every_page_is_accessible_in_structure(admin_client: TestClient, data: SeededData) -> None:
    # One signed-in session for all pages: signing in is deliberately slow (argon2).
    for path in PAGES:
        response = admin_client.get(path.format(acme=data.acme))
        assert response.status_code in (200, 404), path
        check_structure(soup(response.text), path)


def check_structure(page: BeautifulSoup, path: str) -> None:
    html = page.find("html")
    assert isinstance(html, Tag)
    assert html.get("lang") == "en"
    assert page.title is not None
    assert page.title.get_text(strip=True)
    assert len(page.find_all("h1")) == 1, path
    ids = Counter(str(node["id"]) for node in page.find_all(id=True))
    assert [name for name, count in ids.items() if count > 1] == [], path
    for control in page.find_all(["input", "select", "textarea"]):
        if control.get("type") in ("hidden", "submit"):
            continue
        assert labelled(control, page), f"{path}: unlabelled control {control}"
    for image in page.find_all("img"):
        assert image.get("alt") is not None
    for svg in page.find_all("svg"):
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby")
    for table in page.find_all("table"):
        assert table.find("th") is not None
    for reference in (str(node["aria-labelledby"]) for node in page.find_all(attrs={"aria-labelledby": True})):
        for target in reference.split():
            assert target in ids, f"{path}: aria-labelledby points at a missing id {target}"
    if "/print" not in path:
        skip = page.find("a", class_="skip-link")
        assert isinstance(skip, Tag)
        assert skip.get("href") == "#main"
        assert page.find(id="main") is not None
