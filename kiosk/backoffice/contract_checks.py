"""A request's values checked against the back-office contract's JSON Schemas (the subset the
document uses) as the FastAPI app's pydantic models check them in their lax mode: a number in a
string is a number, a whole float is an integer, a pattern must match up to the very end.

`checked(schema, value)` returns the value as the operation receives it (numbers converted,
absent optional fields None) or raises `Invalid`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from typing import Any

Schema = Mapping[str, Any]


class Invalid(Exception):
    """A value the schema refuses; `missing` when a required value is absent."""

    def __init__(self, missing: bool = False) -> None:
        super().__init__("missing" if missing else "invalid")
        self.missing = missing


MISSING: Any = object()
"""An absent value (a required one is refused as missing)."""


def checked(schema: Schema, value: Any, resolve: Any = None) -> Any:
    """`value` as the schema takes it; `Invalid` if it does not. `resolve` maps a `$ref` to its
    schema."""
    if "$ref" in schema:
        return checked(resolve(schema["$ref"]), value, resolve)
    if value is MISSING:
        if "default" in schema:
            return schema["default"]
        raise Invalid(missing=True)
    if "anyOf" in schema:
        for choice in schema["anyOf"]:
            try:
                return checked(choice, value, resolve)
            except Invalid:
                continue
        raise Invalid
    kind = schema.get("type")
    if kind == "null":
        if value is None:
            return None
        raise Invalid
    if "const" in schema and value != schema["const"]:
        raise Invalid
    if "enum" in schema and not any(
        value == choice and type(value) is type(choice) for choice in schema["enum"]
    ):
        raise Invalid
    if kind == "string":
        return _string(schema, value)
    if kind == "integer":
        return _bounded(schema, _integer(value))
    if kind == "number":
        return _bounded(schema, _number(value))
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        raise Invalid
    if kind == "object":
        return _object(schema, value, resolve)
    if kind == "array":
        if not isinstance(value, list):
            raise Invalid
        return [checked(schema.get("items", {}), item, resolve) for item in value]
    return value


def first_refused(schema: Schema, value: Any, resolve: Any) -> tuple[dict[str, Any] | None, str]:
    """A body object checked field by field: (the checked object, "") or (None, the first field
    refused, in the schema's order); (None, "") for a body that is not an object."""
    if not isinstance(value, dict):
        return None, ""
    schema = resolve(schema["$ref"]) if "$ref" in schema else schema
    required = set(schema.get("required", ()))
    out = dict(value)  # fields the schema does not name are kept (extra fields are allowed)
    for name, field in schema.get("properties", {}).items():
        given = value.get(name, MISSING)
        try:
            if given is MISSING and name not in required:
                out[name] = field.get("default")
            else:
                out[name] = checked(field, given, resolve)
        except Invalid:
            return None, name
    return out, ""


def _object(schema: Schema, value: Any, resolve: Any) -> dict[str, Any]:
    found, _ = first_refused(schema, value, resolve)
    if found is None:
        raise Invalid
    return found


def _string(schema: Schema, value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid
    if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", math.inf):
        raise Invalid
    pattern = schema.get("pattern")
    if pattern is not None and _pattern(pattern).search(value) is None:
        raise Invalid
    return value


@functools.cache
def _pattern(pattern: str) -> re.Pattern[str]:
    """A JSON Schema pattern as Python reads it: `$` is the very end (not before a newline)."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _integer(value: Any) -> int:
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise Invalid
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
        try:
            number = float(value.strip())
        except ValueError:
            raise Invalid from None
        return _integer(number)
    raise Invalid


def _number(value: Any) -> float:
    if isinstance(value, bool | int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise Invalid from None
    raise Invalid


def _bounded(schema: Schema, value: Any) -> Any:
    if (
        ("minimum" in schema and not value >= schema["minimum"])
        or ("maximum" in schema and not value <= schema["maximum"])
        or ("exclusiveMinimum" in schema and not value > schema["exclusiveMinimum"])
        or ("exclusiveMaximum" in schema and not value < schema["exclusiveMaximum"])
    ):
        raise Invalid
    return value


def shaped(schema: Schema, value: Any, resolve: Any) -> Any:
    """A reply as the contract's response schema gives it: only the fields it names, numbers as
    numbers (an integer where it says `number` becomes a float, as the FastAPI app sends it)."""
    if "$ref" in schema:
        return shaped(resolve(schema["$ref"]), value, resolve)
    if value is None:
        return None
    if "anyOf" in schema:
        choices = [choice for choice in schema["anyOf"] if choice.get("type") != "null"]
        return shaped(choices[0], value, resolve) if len(choices) == 1 else value
    kind = schema.get("type")
    if kind == "number" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind == "array" and isinstance(value, list):
        return [shaped(schema.get("items", {}), item, resolve) for item in value]
    if kind == "object" and isinstance(value, dict) and "properties" in schema:
        fields = schema["properties"]
        return {
            name: shaped(fields[name], value[name], resolve) for name in fields if name in value
        }
    return value
