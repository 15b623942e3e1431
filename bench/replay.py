"""The limit of a read: the exact SQL statements the API runs for a request, replayed through raw psycopg.

The statements are captured from the real application in this process (every statement and commit of each
request, parameters included); the replay runs them on plain psycopg connections with the same concurrency as the
HTTP load, so the difference is everything above the database: HTTP, routing, authentication, the ORM, building
and serialising the answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from bench.load import LoadResult, drive, run_async
from qbr.core.settings import get_settings
from qbr.server.app import create_app


@dataclass(frozen=True)
class Statement:
    sql: str
    parameters: Any
    many: bool = False


Step = Statement | None  # None: the application committed


def capture_requests(engine: Engine, paths: Sequence[str], headers: dict[str, str]) -> list[list[Step]]:
    """Every statement and commit the application issues for each GET of ``paths``, in order, with the cache of
    built views off: the statements of building each view, not of finding it built."""
    steps: list[Step] = []

    def record(_c: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        steps.append(Statement(statement, parameters, many))

    def commit(_connection: Any) -> None:
        steps.append(None)

    captured: list[list[Step]] = []
    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "commit", commit)
    try:
        settings = get_settings().model_copy(update={"view_cache_entries": 0})
        with TestClient(create_app(settings, engine=engine)) as client:
            client.get(paths[0], headers=headers)  # the first use of a key records it; later requests only read
            for path in paths:
                steps.clear()
                response = client.get(path, headers=headers)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {path} answered {response.status_code}: {response.text[:300]}")
                captured.append(list(steps))
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "commit", commit)
    return captured


def replay_load(
    database_url: str, requests: Sequence[Sequence[Step]], concurrency: int, max_requests: int, max_seconds: float
) -> LoadResult:
    """Replay ``requests`` round-robin from ``concurrency`` psycopg connections, measured like the HTTP load."""
    conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)

    async def main() -> LoadResult:
        connections = [await psycopg.AsyncConnection.connect(conninfo) for _ in range(concurrency)]
        idle: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()
        for connection in connections:
            idle.put_nowait(connection)

        async def run(number: int) -> None:
            connection = await idle.get()
            try:
                async with connection.cursor() as cursor:
                    for step in requests[number % len(requests)]:
                        if step is None:
                            await connection.commit()
                        elif step.many:
                            await cursor.executemany(step.sql, step.parameters)
                        else:
                            await cursor.execute(step.sql, step.parameters)
                            if cursor.description is not None:
                                await cursor.fetchall()
                await connection.commit()
            finally:
                idle.put_nowait(connection)

        try:
            await drive(run, concurrency, len(requests), 600)
            return await drive(run, concurrency, max_requests, max_seconds)
        finally:
            for connection in connections:
                await connection.close()

    return run_async(main)
