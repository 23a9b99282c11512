"""The back-office contract (`backoffice/openapi.yaml`): the document, read once, and its
operations' documented replies by method and path."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

CONTRACT = Path(__file__).resolve().parents[2] / "backoffice" / "openapi.yaml"
"""The back-office contract (kept equal to the FastAPI app's document by a test)."""


@functools.cache
def contract(path: Path = CONTRACT) -> dict[str, Any]:
    """The contract document, read once (and remembered parsed between runs)."""
    from kiosk.parsed_cache import parsed_yaml

    document: dict[str, Any] = parsed_yaml(path, "openapi.json")
    return document


def resolver(document: Mapping[str, Any]) -> Callable[[str], Any]:
    """A `$ref` (`#/components/schemas/Name`) to the schema it names."""
    schemas = document.get("components", {}).get("schemas", {})
    return lambda ref: schemas[ref.rsplit("/", 1)[-1]]


def matched(template: tuple[str, ...], path: str) -> dict[str, str] | None:
    """The path parameters when `path` is one of the template's segments, else None."""
    segments = path.split("/")
    if len(segments) != len(template):
        return None
    found = {}
    for pattern, segment in zip(template, segments, strict=True):
        if pattern.startswith("{") and pattern.endswith("}"):
            if not segment:
                return None
            found[pattern[1:-1]] = segment
        elif pattern != segment:
            return None
    return found


class Replies:
    """The schema of each operation's success reply, found by method and path."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.resolve = resolver(document)
        self._routes: list[tuple[str, tuple[str, ...], str, Mapping[str, Any]]] = []
        for template, item in document.get("paths", {}).items():
            for method, operation in item.items():
                responses = operation.get("responses", {})
                status = next((code for code in responses if code.startswith("2")), None)
                content = responses.get(status, {}).get("content", {}) if status else {}
                schema = content.get("application/json", {}).get("schema")
                if schema is not None:
                    segments = tuple(template.split("/"))
                    self._routes.append((method.upper(), segments, template, schema))

    def reply(self, method: str, path: str) -> tuple[str, Mapping[str, Any]] | None:
        """(the route's template, its reply's schema), or None for a route the contract lacks."""
        path = path.split("?", 1)[0]
        for route_method, segments, template, schema in self._routes:
            if route_method == method.upper() and matched(segments, path) is not None:
                return template, schema
        return None
