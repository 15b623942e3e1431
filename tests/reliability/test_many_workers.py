"""Many workers, one truth: two real ``qbr serve`` processes on one database enforce one failure limit, agree on
which sessions exist, and run the daily sync once between them."""

from __future__ import annotations

import time
from itertools import cycle

import httpx
import pytest
from sqlalchemy import Engine, func, select

from qbr.auth.users import create_user
from qbr.connectors.models import ConnectorSetting, SyncRun
from qbr.connectors.scheduler import CLAIM_KEY
from qbr.core.database import unit_of_work
from tests.reliability.servers import qbr_serve
from tests.web.support import csrf_from

# Real processes on the database: they commit on their own connections.
pytestmark = [pytest.mark.slow, pytest.mark.commits]
PASSWORD = "a long enough password"
LIMIT = 10


def bad_sign_in(client: httpx.Client, base: str, number: int) -> int:
    token = csrf_from(client.get(f"{base}/login").text)
    # A different X-Forwarded-For every time: believed from nobody unless QBR_TRUSTED_PROXIES says so.
    response = client.post(
        f"{base}/login",
        data={"username": "dana", "password": f"guess {number}", "csrf_token": token},
        headers={"X-Forwarded-For": f"203.0.113.{number}"},
    )
    return response.status_code


def sign_in(client: httpx.Client, base: str) -> None:
    token = csrf_from(client.get(f"{base}/login").text)
    response = client.post(f"{base}/login", data={"username": "dana", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.text


def test_the_eleventh_bad_sign_in_across_two_workers_is_refused(engine: Engine, database_url: str) -> None:
    with unit_of_work(engine) as session:
        create_user(session, "dana", PASSWORD, "viewer")
    settings = {"QBR_AUTH_FAILURE_LIMIT": str(LIMIT)}
    with (
        qbr_serve(database_url, env=settings) as first,
        qbr_serve(database_url, env=settings) as second,
        httpx.Client(timeout=30) as client,
    ):
        workers = cycle([first, second])
        statuses = [bad_sign_in(client, next(workers), number) for number in range(LIMIT + 1)]
        assert statuses == [401] * LIMIT + [429]
        # The right password is refused too while the limit holds, on either worker.
        token = csrf_from(client.get(f"{first}/login").text)
        right = client.post(f"{first}/login", data={"username": "dana", "password": PASSWORD, "csrf_token": token})
        assert right.status_code == 429


def test_a_sign_out_on_one_worker_ends_the_session_on_the_other(engine: Engine, database_url: str) -> None:
    with unit_of_work(engine) as session:
        create_user(session, "dana", PASSWORD, "viewer")
    with qbr_serve(database_url) as first, qbr_serve(database_url) as second:
        with httpx.Client(timeout=30) as client:
            sign_in(client, first)
            stolen = client.cookies.get("qbr_session")
            assert stolen
            overview = client.get(f"{second}/")
            assert overview.status_code == 200
            assert client.post(f"{first}/logout", data={"csrf_token": csrf_from(overview.text)}).status_code == 303
        with httpx.Client(timeout=30, cookies={"qbr_session": stolen}) as thief:
            assert thief.get(f"{second}/").status_code == 303
            assert thief.get(f"{second}/api/v1/organizations").status_code == 401


def test_the_daily_sync_starts_once_among_all_workers(engine: Engine, database_url: str) -> None:
    # Due since midnight: every worker's scheduler catches up at start, and they race to claim the day.
    # NinjaOne at a closed port: each run fails at once, but leaves its row in sync_runs, so runs can be counted.
    sync = {
        "QBR_SYNC_DAILY_AT": "00:00",
        "QBR_NINJAONE_URL": "http://127.0.0.1:9",
        "QBR_NINJAONE_CLIENT_ID": "id",
        "QBR_NINJAONE_CLIENT_SECRET": "secret",
        "QBR_CONNECTOR_RETRIES": "0",
        "QBR_CONNECTOR_TIMEOUT_SECONDS": "2",
    }
    with qbr_serve(database_url, workers=2, env=sync), qbr_serve(database_url, env=sync):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with unit_of_work(engine, read_only=True) as session:
                finished = session.scalar(select(func.count()).where(SyncRun.finished_at.is_not(None)))
                running = session.scalar(select(func.count()).where(SyncRun.finished_at.is_(None)))
            if finished and not running:
                break
            time.sleep(0.5)
        time.sleep(2)  # time for a second run to show up, were there one
    with unit_of_work(engine, read_only=True) as session:
        runs = session.execute(select(SyncRun.source_system, SyncRun.period)).all()
        claimed = session.scalar(
            select(ConnectorSetting.setting_value).where(ConnectorSetting.setting_key == CLAIM_KEY)
        )
    assert runs, "the daily sync never ran"
    assert len(runs) == len(set(runs)), f"a period was synced more than once: {runs}"
    assert claimed
