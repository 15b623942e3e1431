"""The review pages, asserted structurally: the staff's editor and its forms, the changed-since-publication notice,
and what a client's user sees (published versions only)."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from qbr.core.database import unit_of_work
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.reviews.models import Recommendation
from qbr.reviews.recommendations import add_recommendation
from qbr.reviews.schemas import GoalIn, RecommendationCreate, ReviewUpdate
from qbr.reviews.service import publish_review, save_review
from tests.dashboard_support import QUARTER, SeededData
from tests.web import test_client_edition as client_walk
from tests.web.conftest import UserFactory
from tests.web.support import page_csrf, sign_in, soup

# The client-edition walk's catalog of internal names, and its leak check, applied to the review's faces.
catalog = client_walk.catalog


def _path(data: SeededData) -> str:
    return f"/organizations/{data.acme}/reviews/{QUARTER}"


def _editor(client: TestClient, make_user: UserFactory, data: SeededData) -> str:
    sign_in(client, make_user("dana", "editor"))
    return page_csrf(client, _path(data))


def test_the_editor_starts_from_the_draft(client: TestClient, make_user: UserFactory, data: SeededData) -> None:
    _editor(client, make_user, data)
    page = soup(client.get(_path(data)).text)
    summary = page.find("textarea", id="summary")
    assert summary is not None
    assert "RHEM is critical at 0.46 h" in summary.text
    assert page.find(attrs={"data-review-status": "draft"}) is not None
    assert page.find("button", attrs={"data-action": "publish"}) is not None
    assert page.find(attrs={"data-notice": "changed-since-publication"}) is None
    link = soup(client.get(f"/organizations/{data.acme}/qbr/{QUARTER}").text).find("a", attrs={"data-action": "review"})
    assert link is not None
    assert link["href"] == _path(data)


def test_a_staff_viewer_reads_but_cannot_change(client: TestClient, make_user: UserFactory, data: SeededData) -> None:
    sign_in(client, make_user("vic", "viewer"))
    page = soup(client.get(_path(data)).text)
    summary = page.find("textarea", id="summary")
    assert summary is not None
    assert summary.has_attr("readonly")
    assert page.find("button", attrs={"data-action": "save"}) is None
    assert page.find("button", attrs={"data-action": "publish"}) is None


def test_a_refused_save_keeps_what_was_typed_and_stores_nothing(
    client: TestClient, make_user: UserFactory, data: SeededData
) -> None:
    token = _editor(client, make_user, data)
    form = {
        "csrf_token": token,
        "summary": "Typed words.",
        "goal_subject": ["RHEM", "SLA Compliance %"],
        "goal_target": ["0.3", "lots"],
        "goal_note": ["", ""],
    }
    response = client.post(_path(data), data=form)
    assert response.status_code == 422
    page = soup(response.text)
    assert "Nothing was saved" in page.text
    assert "goals.1.target_value" in page.text
    summary = page.find("textarea", id="summary")
    assert summary is not None
    assert summary.text == "Typed words."
    assert "Typed words." not in client.get(_path(data)).text


def test_save_publish_and_the_changed_figures_notice(
    client: TestClient, make_user: UserFactory, data: SeededData, engine: Engine
) -> None:
    token = _editor(client, make_user, data)
    form = {"csrf_token": token, "summary": "Ours.", "goal_subject": ["RHEM"], "goal_target": ["0.3"]}
    saved = client.post(_path(data), data=form)
    assert saved.status_code == 303
    assert client.post(_path(data) + "/publish", data={"csrf_token": token}).status_code == 303
    with unit_of_work(engine) as session:
        ingest_metrics(session, [MetricInput(data.acme, "2025-02", "Reactive Hours", Decimal(800), "Manual")])
    page = soup(client.get(_path(data)).text)
    notice = page.find(attrs={"data-notice": "changed-since-publication"})
    assert notice is not None
    assert notice.find(attrs={"data-changed": "RHEM"}) is not None
    assert notice.find(attrs={"data-changed": "Reactive Hours"}) is not None
    assert page.find(attrs={"data-version": "1"}) is not None


def test_recommendations_from_the_page(
    client: TestClient, make_user: UserFactory, data: SeededData, engine: Engine
) -> None:
    token = _editor(client, make_user, data)
    add = f"/organizations/{data.acme}/recommendations"
    bad = {"csrf_token": token, "period": QUARTER, "title": "Firewall", "one_time_cost": "a lot"}
    client.post(add, data=bad)
    assert "The recommendation was not added" in client.get(_path(data)).text
    good = bad | {"one_time_cost": "4200", "target_period": "2025-Q2"}
    assert client.post(add, data=good).status_code == 303
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(Recommendation)) == 1
        row_id = session.scalar(select(Recommendation.id))
    change = {"csrf_token": token, "period": QUARTER, "status": "done", "priority": "high"}
    assert client.post(f"{add}/{row_id}", data=change).status_code == 303
    page = soup(client.get(_path(data)).text)
    row = page.find("tr", attrs={"data-recommendation": "Firewall", "data-status": "done"})
    assert row is not None
    edit = change | {"full_edit": "true", "title": "Next-generation firewall", "monthly_cost": "99.90"}
    assert client.post(f"{add}/{row_id}", data=edit).status_code == 303
    with unit_of_work(engine) as session:
        stored = session.get(Recommendation, row_id)
        assert stored is not None
        assert (stored.title, stored.one_time_cost, stored.monthly_cost) == (
            "Next-generation firewall",
            None,
            Decimal("99.90"),
        )
    client.get(_path(data))  # where the browser is sent after saving
    refused = client.post(f"{add}/{row_id}", data=change | {"full_edit": "true", "title": "  "})
    assert refused.status_code == 303, refused.text
    shown = client.get(_path(data)).text
    assert "The recommendation was not changed" in shown, [n.text for n in soup(shown).select(".notice")]
    assert client.post(f"{add}/{row_id}/delete", data={"csrf_token": token, "period": QUARTER}).status_code == 303
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(Recommendation)) == 0


def test_a_client_sees_only_what_is_published(
    client: TestClient, make_user: UserFactory, data: SeededData, engine: Engine
) -> None:
    staff = TestClient(client.app, follow_redirects=False)
    sign_in(staff, make_user("dana", "editor"))
    token = page_csrf(staff, _path(data))
    sign_in(client, make_user("acme-user", "viewer", [data.acme]))

    nothing = soup(client.get(_path(data)).text)
    assert nothing.find(attrs={"data-notice": "not-published"}) is not None
    assert "RHEM is critical" not in nothing.text
    assert client.get(_path(data) + ".pdf").status_code == 303

    staff.post(_path(data), data={"csrf_token": token, "summary": "First published."})
    staff.post(_path(data) + "/publish", data={"csrf_token": token})
    staff.post(_path(data), data={"csrf_token": token, "summary": "Second published."})
    staff.post(_path(data) + "/publish", data={"csrf_token": token})
    staff.post(_path(data), data={"csrf_token": token, "summary": "A draft only."})

    newest = client.get(_path(data)).text
    assert "Second published." in newest
    assert "A draft only." not in newest
    assert soup(newest).find("textarea") is None
    assert soup(newest).find(attrs={"data-notice": "staff-preview"}) is None
    older = client.get(_path(data) + "?version=1").text
    assert "First published." in older
    assert soup(older).find(attrs={"data-notice": "older-version"}) is not None
    home = client.get(f"/organizations/{data.acme}/reviews")
    assert home.headers["location"] == _path(data)
    pdf = client.get(_path(data) + ".pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"


def test_staff_see_the_clients_view(client: TestClient, make_user: UserFactory, data: SeededData) -> None:
    token = _editor(client, make_user, data)
    client.post(_path(data), data={"csrf_token": token, "summary": "What the client got."})
    client.post(_path(data) + "/publish", data={"csrf_token": token})
    client.post(_path(data), data={"csrf_token": token, "summary": "Still being written."})
    editor = soup(client.get(_path(data)).text)
    link = editor.find("a", attrs={"data-action": "client-view"})
    assert link is not None
    preview = soup(client.get(_path(data) + str(link["href"])).text)
    assert "What the client got." in preview.text
    assert "Still being written." not in preview.text
    assert preview.find(attrs={"data-notice": "staff-preview"}) is not None
    assert preview.find("textarea") is None
    pdf = preview.find("a", attrs={"data-action": "download-pdf"})
    assert pdf is not None
    assert "edition=client" in str(pdf["href"])
    assert client.get(str(pdf["href"])).headers["content-type"] == "application/pdf"


def test_a_client_walking_its_published_review_meets_no_internal_item(
    client: TestClient, make_user: UserFactory, data: SeededData, catalog: client_walk.Catalog, engine: Engine
) -> None:
    with unit_of_work(engine) as session:
        goals = [
            GoalIn(subject_name="RHEM", target_value=Decimal("0.35")),
            GoalIn(subject_name="AISP", target_value=Decimal(120)),
        ]
        save_review(session, data.acme, QUARTER, ReviewUpdate(highlights="Backups all green.", goals=goals), "dana")
        body = RecommendationCreate(title="Replace the firewall", raised_in=QUARTER, one_time_cost=Decimal(4200))
        add_recommendation(session, data.acme, body)
        publish_review(session, data.acme, QUARTER, "dana")
    sign_in(client, make_user("acme-person", "viewer", [data.acme]))
    api = f"/api/v1/organizations/{data.acme}"
    addresses = [
        f"/organizations/{data.acme}/reviews",
        _path(data),
        _path(data) + "?version=1",
        _path(data) + ".pdf",
        f"{api}/reviews/{QUARTER}",
        f"{api}/reviews/{QUARTER}/versions",
        f"{api}/recommendations",
    ]
    for address in addresses:
        response = client.get(address, follow_redirects=True)
        assert response.status_code == 200, address
        is_pdf = response.headers["content-type"].startswith("application/pdf")
        body_text = client_walk.pdf_text(response.content) if is_pdf else response.text
        assert not client_walk.leaks(body_text, catalog, data), (address, client_walk.leaks(body_text, catalog, data))
        assert "Replace the firewall" in body_text or address.endswith("/versions")
    review = client.get(f"{api}/reviews/{QUARTER}").json()
    assert review["edition"] == "client"
    assert [goal["subject_name"] for goal in review["goals"]["next_period"]] == ["RHEM"]  # AISP is internal
    assert "AISP" not in review["summary"]
