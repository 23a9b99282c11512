"""msgspec's validation errors in the configuration's own words.

msgspec reports the first problem as, for example, ``Expected `int` <= 100 - at `$.volume` ``;
`explain` turns that into a dotted key and a phrase (``volume``, ``must be at most 100, got 120``).
A dictionary's key is shown by msgspec as ``[...]``: the key is found again by checking the
entries of the raw value one by one, as msgspec does, up to the first that fails.

| msgspec says                                  | we say                                        |
|-----------------------------------------------|-----------------------------------------------|
| Expected `float`, got `str`                   | expected a number, got "abc"                  |
| Expected `int` <= 100                         | must be at most 100, got 120                  |
| Expected `str` of length >= 1                 | must not be empty                             |
| Expected `str` matching regex '...'           | the `Meta(extra={"mismatch": ...})` phrase    |
| Invalid enum value 'bank'                     | expected 'government' or 'locker', got "bank" |
| Object contains unknown field `timouts`       | unknown key (did you mean timeouts?)          |
| Object missing required field `base_url`      | required key is missing                       |
| (a `__post_init__` or `dec_hook` message)     | that message                                  |

Values are echoed only when they are plain (text, number, boolean) and no part of the key is a
secret (`token`, `headers`, `password`, `secret`).
"""

from __future__ import annotations

import difflib
import json
import re
import types
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Union, get_args, get_origin

import msgspec

SECRET_KEYS = frozenset({"token", "headers", "password", "secret"})
"""Keys whose values (and everything below them) are never echoed."""

_AT = re.compile(r"^(?P<what>.*?)(?: - at (?:`key` in )?`\$(?P<path>[^`]*)`)?$", re.S)
_STEP = re.compile(r"\.([^.\[\]]+)|\[(\.\.\.|\d+)\]")
_TYPE_WORDS = {
    "int": "expected an integer",
    "float": "expected a number",
    "bool": "expected true or false",
    "str": "expected a string",
    "object": "expected a table",
    "array": "expected a list",
}
_BOUND_WORDS = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than"}

DecHook = Callable[[type, Any], Any]


def explain(
    error: msgspec.ValidationError, raw: object, root: Any, dec_hook: DecHook | None = None
) -> tuple[tuple[str, ...], str]:
    """The dotted key (as parts) and our phrase for `error`, raised converting `raw` to `root`."""
    match = _AT.fullmatch(str(error))
    assert match is not None  # the pattern matches any text
    what = match["what"]
    is_key = " - at `key` in " in str(error)
    loc, value, kind = _locate(raw, root, match["path"] or "", is_key, dec_hook)
    if found := re.fullmatch(r"Object contains unknown field `(.+)`", what):
        loc = (*loc, found[1])
        return loc, "unknown key" + _suggestion(kind, found[1])
    if found := re.fullmatch(r"Object missing required field `(.+)`", what):
        return (*loc, found[1]), "required key is missing"
    if is_key:
        # a dictionary's key (a device or backend name) broke its rule: `value` is that key
        loc, key = loc[:-1], loc[-1]
        return loc, f"name {key!r} {_phrase(what, kind)}"
    text = _phrase(what, kind)
    plain = isinstance(value, str | int | float | bool)
    if plain and not SECRET_KEYS.intersection(loc):
        text += f", got {json.dumps(value, ensure_ascii=False)}"
    return loc, text


def _phrase(what: str, kind: Any) -> str:
    if found := re.fullmatch(r"Expected `([^`]+)`, got `[^`]+`", what):
        names = [name for name in found[1].split(" | ") if name != "null"]
        words = [
            _TYPE_WORDS.get(name, f"expected {name}").removeprefix("expected ") for name in names
        ]
        return "expected " + " or ".join(words)
    if found := re.fullmatch(r"Expected `str` of length (>=|>|<=|<) (\d+)", what):
        if found.groups() == (">=", "1"):
            return "must not be empty"
        return f"must be {_BOUND_WORDS[found[1]]} {found[2]} characters long"
    if found := re.fullmatch(r"Expected `[^`]+` (>=|>|<=|<) (\S+)", what):
        return f"must be {_BOUND_WORDS[found[1]]} {float(found[2]):g}"
    if found := re.fullmatch(r"Expected `str` matching regex (['\"])(.*)\1", what, re.S):
        mismatch = _meta_extra(kind).get("mismatch")
        # msgspec quotes the pattern with repr() (double quotes when it holds a single quote);
        # the Meta holds it as written
        patterns = [meta.pattern for meta in _bare(kind)[1] if meta.pattern]
        return str(mismatch) if mismatch else f"does not match {(patterns or [found[2]])[0]}"
    if what.startswith("Invalid enum value"):
        choices = [repr(choice) for choice in get_args(_bare(kind)[0])]
        if not choices:
            return "is not one of the allowed values"
        listed = ", ".join(choices[:-1]) + " or " + choices[-1] if len(choices) > 1 else choices[0]
        return f"expected {listed}"
    # a `__post_init__` or `dec_hook` message: already in our words
    return what[:1].lower() + what[1:]


def _locate(
    raw: object, root: Any, path: str, is_key: bool, dec_hook: DecHook | None
) -> tuple[tuple[str, ...], object, Any]:
    """Follow msgspec's `path` through `raw` and the type `root`: the key parts, the raw value
    there and its declared type (for a key error: the dictionary's key type, the key last)."""
    loc: list[str] = []
    value, kind = raw, root
    for name, index in _STEP.findall(path):
        bare = _bare(kind)[0]
        if name:
            loc.append(name)
            value = value.get(name) if isinstance(value, dict) else None
            kind = _field_type(bare, name)
        elif index == "...":
            key_type, item_type = _mapping_args(bare)
            key = _first_failing(value, key_type, item_type, False, dec_hook)
            loc.append(str(key))
            value = value.get(key) if isinstance(value, dict) else None
            kind = item_type
        else:
            loc.append(index)
            value = value[int(index)] if isinstance(value, list) else None
            args = get_args(bare)
            kind = args[0] if args else Any
    if is_key:
        key_type, _item_type = _mapping_args(_bare(kind)[0])
        key = _first_failing(value, key_type, None, True, dec_hook)
        loc.append(str(key))
        value, kind = key, key_type
    return tuple(loc), value, kind


def _first_failing(
    value: object, key_type: Any, item_type: Any, keys: bool, dec_hook: DecHook | None
) -> object:
    """The first entry of the dictionary `value` whose key (or item) msgspec refuses."""
    if not isinstance(value, dict):
        return "?"
    for key, item in value.items():
        checked, against = (key, key_type) if keys else (item, item_type)
        try:
            msgspec.convert(checked, against, strict=False, dec_hook=dec_hook)
        except msgspec.ValidationError:
            return key
    return "?"


def _bare(kind: Any) -> tuple[Any, list[msgspec.Meta]]:
    """`kind` without `Annotated` and `| None`, and the `Meta` constraints taken off it."""
    metas: list[msgspec.Meta] = []
    while True:
        origin = get_origin(kind)
        if origin is Annotated:
            base, *extras = get_args(kind)
            metas.extend(extra for extra in extras if isinstance(extra, msgspec.Meta))
            kind = base
        elif origin is Union or origin is types.UnionType:
            members = [member for member in get_args(kind) if member is not type(None)]
            if len(members) != 1:
                return kind, metas
            kind = members[0]
        else:
            return kind, metas


def _meta_extra(kind: Any) -> Mapping[str, Any]:
    extra: dict[str, Any] = {}
    for meta in _bare(kind)[1]:
        extra.update(meta.extra or {})
    return extra


def _field_type(struct: Any, name: str) -> Any:
    if isinstance(struct, type) and issubclass(struct, msgspec.Struct):
        for field in msgspec.structs.fields(struct):
            if field.name == name:
                return field.type
    return Any


def _mapping_args(kind: Any) -> tuple[Any, Any]:
    args = get_args(kind) if get_origin(kind) in (dict, Mapping) else ()
    return (args[0], args[1]) if len(args) == 2 else (Any, Any)


def _suggestion(kind: Any, key: str) -> str:
    """` (did you mean x?)` when an unknown key is a typo of a known one."""
    struct = _bare(kind)[0]
    if not (isinstance(struct, type) and issubclass(struct, msgspec.Struct)):
        return ""
    close = difflib.get_close_matches(key, struct.__struct_fields__, n=1)
    return f" (did you mean {close[0]}?)" if close else ""
