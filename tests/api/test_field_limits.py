"""Every text the API takes (path, query, body) has a length limit, so an oversized value is a field error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from qbr.core.settings import Settings
from qbr.server.app import create_app


def unbounded(schema: dict[str, Any], components: dict[str, Any], where: str) -> Iterator[str]:
    """Where a string (or a list) in ``schema`` accepts any length."""
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            yield from unbounded(part, components, where)
    kind = schema.get("type")
    if kind == "string" and not ({"maxLength", "enum", "const"} & schema.keys()) and "format" not in schema:
        yield where
    if kind == "array":
        if "maxItems" not in schema:
            yield where + " (list)"
        yield from unbounded(schema.get("items", {}), components, where + "[]")
    for name, part in schema.get("properties", {}).items():
        yield from unbounded(part, components, f"{where}.{name}")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from unbounded(schema["additionalProperties"], components, where + ".*")


def test_every_request_field_has_a_length_limit(database_url: str) -> None:
    spec = create_app(Settings(database_url=database_url)).openapi()
    components = spec.get("components", {}).get("schemas", {})
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = f"{method.upper()} {path} {parameter['in']} {parameter['name']}"
                found += unbounded(parameter.get("schema", {}), components, where)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                found += unbounded(media["schema"], components, f"{method.upper()} {path} body")
    assert found == []
