"""Data versions: which scopes each kind of write bumps, in the writer's own transaction, and the fingerprint."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from qbr.backup.archive import export_database, restore_database
from qbr.branding.service import BrandChanges, save_brand
from qbr.core.database import unit_of_work
from qbr.core.versions import PORTFOLIO, SHARED, DataVersion, view_fingerprint
from qbr.ingest.manual import set_manual_value
from qbr.metrics.models import MetricDefinition, MetricMonthly
from qbr.organizations.models import Organization
from qbr.organizations.service import create_organization, update_organization
from qbr.periods.service import close_periods
from qbr.reviews.schemas import ReviewUpdate
from qbr.reviews.service import publish_review, save_review
from qbr.thresholds.service import set_threshold


def versions(session: Session) -> dict[int, int]:
    return {scope: version for scope, version in session.execute(select(DataVersion.scope, DataVersion.version))}  # noqa: C416


def bumped(session: Session, before: dict[int, int]) -> set[int]:
    after = versions(session)
    return {scope for scope, version in after.items() if before.get(scope) != version}


@pytest.fixture
def two_clients(session: Session) -> tuple[int, int]:
    first = create_organization(session, "Acme Dental")
    second = create_organization(session, "Birch Legal")
    session.commit()
    return first.id, second.id


def test_creating_an_organization_bumps_it_and_the_portfolio(session: Session) -> None:
    before = versions(session)
    organization = create_organization(session, "Cedar Clinic")
    session.commit()
    assert bumped(session, before) == {organization.id, PORTFOLIO}


def test_a_manual_value_bumps_its_organization_and_the_portfolio_only(
    session: Session, two_clients: tuple[int, int]
) -> None:
    first, second = two_clients
    before = versions(session)
    set_manual_value(session, first, "2025-02", "Reactive Hours", Decimal(40))
    session.commit()
    changed = bumped(session, before)
    # the new period 2025-02 (and its quarter) is shared: every page's period picker lists it
    assert changed == {first, PORTFOLIO, SHARED}
    before = versions(session)
    set_manual_value(session, first, "2025-02", "Reactive Hours", Decimal(41))
    session.commit()
    assert bumped(session, before) == {first, PORTFOLIO}
    assert second not in bumped(session, before)


def test_review_edits_and_publishing_bump_only_their_organization(
    session: Session, two_clients: tuple[int, int]
) -> None:
    first, second = two_clients
    set_manual_value(session, first, "2025-02", "Reactive Hours", Decimal(40))
    session.commit()
    before = versions(session)
    untouched = view_fingerprint(session, [second])
    save_review(session, first, "2025-Q1", ReviewUpdate(summary="A calm quarter."), by="amy")
    session.commit()
    assert bumped(session, before) == {first}
    before = versions(session)
    publish_review(session, first, "2025-Q1", "amy")
    session.commit()
    assert bumped(session, before) == {first}
    assert view_fingerprint(session, [second]) == untouched


def test_thresholds_default_and_per_organization(session: Session, two_clients: tuple[int, int]) -> None:
    first, _ = two_clients
    before = versions(session)
    set_threshold(session, "New Agreements", warning=Decimal(10), organization_id=first)
    session.commit()
    assert bumped(session, before) == {first}
    before = versions(session)
    set_threshold(session, "New Agreements", warning=Decimal(12))
    session.commit()
    assert bumped(session, before) == {SHARED}


def test_brand_organization_and_period_edits(session: Session, two_clients: tuple[int, int]) -> None:
    first, _ = two_clients
    set_manual_value(session, first, "2025-02", "Reactive Hours", Decimal(40))
    session.commit()
    organization = session.get(Organization, first)
    assert organization is not None
    writes: list[tuple[Callable[[], object], set[int]]] = [
        (lambda: save_brand(session, BrandChanges(msp_name="Bright IT"), by="amy"), {SHARED}),
        (lambda: update_organization(session, organization, name="Acme Dental Group"), {first, PORTFOLIO}),
        (lambda: close_periods(session, ["2025-02"]), {SHARED}),
    ]
    for write, expected in writes:
        before = versions(session)
        write()
        session.commit()
        assert bumped(session, before) == expected


def test_a_set_based_write_with_no_declared_organization_bumps_the_shared_scope(
    session: Session, two_clients: tuple[int, int]
) -> None:
    before = versions(session)
    session.execute(
        update(MetricDefinition).where(MetricDefinition.metric_name == "Reactive Hours").values(description="x")
    )
    session.commit()
    assert bumped(session, before) == {SHARED}


def test_a_write_that_changes_nothing_or_rolls_back_bumps_nothing(
    session: Session, two_clients: tuple[int, int]
) -> None:
    first, _ = two_clients
    before = versions(session)
    session.execute(update(MetricMonthly).where(MetricMonthly.organization_id == first).values(metric_value=1))
    session.commit()
    assert bumped(session, before) == set()
    save_review(session, first, "2025-Q1", ReviewUpdate(summary="Not kept."), by="amy")
    session.rollback()
    assert bumped(session, before) == set()


def test_the_fingerprint_follows_the_scopes_it_covers(session: Session, two_clients: tuple[int, int]) -> None:
    first, second = two_clients
    set_manual_value(session, first, "2025-02", "Reactive Hours", Decimal(40))  # the periods exist from here on
    session.commit()
    of_first, of_second, of_all = (view_fingerprint(session, ids) for ids in ([first], [second], None))
    save_review(session, second, "2025-Q1", ReviewUpdate(summary="Busy."), by="amy")
    session.commit()
    assert view_fingerprint(session, [first]) == of_first
    assert view_fingerprint(session, [second]) != of_second
    assert view_fingerprint(session, None) != of_all


@pytest.mark.commits  # a backup reads its own snapshot
def test_a_restore_bumps_the_shared_scope(engine: Engine, tmp_path: Path) -> None:
    with unit_of_work(engine) as session:
        create_organization(session, "Acme Dental")
    archive = tmp_path / "backup.jsonl.gz"
    export_database(engine, archive)
    with unit_of_work(engine, read_only=True) as session:
        before = view_fingerprint(session, None)
    restore_database(engine, archive, replace=True)
    with unit_of_work(engine, read_only=True) as session:
        assert view_fingerprint(session, None) != before
