"""Refusing query parameters a route does not have, so a misspelt filter is an error, not a silently unfiltered
list (``?organisation_id=5`` would otherwise return every organization's rows)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from qbr.errors import InvalidInput, Problem

_ALLOWED: dict[int, frozenset[str]] = {}


async def reject_unknown_query_parameters(request: Request) -> None:  # a coroutine: no trip to the thread pool
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    allowed = _ALLOWED.get(id(dependant))
    if allowed is None:
        allowed = _ALLOWED.setdefault(id(dependant), frozenset(_query_names(dependant)))
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        accepted = ", ".join(sorted(allowed)) or "no query parameters"
        problems = [Problem(f"query.{name}", "is not a parameter of this operation", accepted) for name in unknown]
        raise InvalidInput(f"unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}", problems)


def _query_names(dependant: Any) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names
