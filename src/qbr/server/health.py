"""``/healthz`` (the process answers) and ``/readyz`` (the database answers and its schema is current)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from qbr.api.problems import problem_responses
from qbr.core import migrate
from qbr.errors import DatabaseUnavailable

router = APIRouter(tags=["health"])


class HealthStatus(BaseModel):
    status: Literal["ok"]


class ReadyStatus(BaseModel):
    status: Literal["ready"]
    database: str
    revision: str


@router.get("/healthz", summary="The process is alive (no authentication, no database)")
def healthz() -> HealthStatus:
    return HealthStatus(status="ok")


@router.get(
    "/readyz",
    summary="The database is reachable and migrated (no authentication)",
    responses=problem_responses(503),
)
def readyz(request: Request) -> ReadyStatus:
    engine = request.app.state.engine
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    revision = migrate.current_revision(engine)
    head = request.app.state.schema_head
    if revision != head:
        raise DatabaseUnavailable(
            f"the database schema is at {revision or 'nothing'}, not {head}: run `qbr db upgrade`"
        )
    return ReadyStatus(status="ready", database=engine.dialect.name, revision=revision or "")
