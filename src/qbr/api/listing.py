"""Every list endpoint: limit/offset paging, the ``{items, total, limit, offset}`` envelope, and CSV output.

CSV is chosen with ``?format=csv`` or an ``Accept`` header preferring ``text/csv``; the CSV has the same rows as
the JSON page and says the total in ``X-Total-Count``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from qbr.api.csv_export import render_csv

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# Beyond any table this product will hold, and within every database's integer range.
MAX_OFFSET = 2_000_000_000
CSV_MEDIA_TYPE = "text/csv"

ItemT = TypeVar("ItemT", bound=BaseModel)


class ListEnvelope(BaseModel, Generic[ItemT]):
    """One page of a list: the items, how many there are in all, and the page's limit and offset."""

    items: list[ItemT]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class ListParams:
    limit: int
    offset: int
    as_csv: bool


async def list_params(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
    format: Annotated[
        Literal["json", "csv"] | None,
        Query(description="Output format; overrides the Accept header."),
    ] = None,
) -> ListParams:
    as_csv = format == "csv" if format else prefers_csv(request.headers.get("accept", ""))
    return ListParams(limit=limit, offset=offset, as_csv=as_csv)


ListParamsDep = Annotated[ListParams, Depends(list_params)]


def prefers_csv(accept: str) -> bool:
    """True when the Accept header ranks text/csv above JSON (a plain */* or nothing means JSON)."""
    ranks: dict[str, float] = {}
    for part in accept.split(","):
        media_type, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranks[media_type.strip().lower()] = quality
    csv_rank = ranks.get(CSV_MEDIA_TYPE, 0.0)
    json_rank = max(ranks.get("application/json", 0.0), ranks.get("application/*", 0.0))
    return csv_rank > 0 and csv_rank > json_rank


def fetch_page(session: Session, query: Select[Any], params: ListParams) -> tuple[list[Any], int]:
    """One page of ``query`` (already filtered and ordered) and the total number of rows it matches."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = list(session.execute(query.limit(params.limit).offset(params.offset)))
    return [row[0] if len(row) == 1 else row._mapping for row in rows], total


def paginate(
    session: Session,
    query: Select[Any],
    model: type[ItemT],
    params: ListParams,
    *,
    filename: str,
) -> ListEnvelope[ItemT] | Response:
    """Run ``query`` for one page; answer JSON or CSV as the client asked."""
    rows, total = fetch_page(session, query, params)
    return respond([model.model_validate(row) for row in rows], model, params, total=total, filename=filename)


def respond(
    items: list[ItemT], model: type[ItemT], params: ListParams, *, total: int, filename: str
) -> ListEnvelope[ItemT] | Response:
    if params.as_csv:
        return Response(
            render_csv(model, items),
            media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}.csv"',
                "X-Total-Count": str(total),
            },
        )
    return ListEnvelope[model](  # type: ignore[valid-type]
        items=items, total=total, limit=params.limit, offset=params.offset
    )


# The CSV alternative, documented on every list route.
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}}, "description": "The page as JSON or CSV."}
}
