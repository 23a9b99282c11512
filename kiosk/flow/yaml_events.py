"""The YAML reading of `kiosk.flow.locations`: PyYAML's C parser's event stream built into plain
data, with the packed position of every key, value and item (imported only when a text is not
in `kiosk.flow.kept_documents`: PyYAML's import alone costs several milliseconds).

Flow files are untrusted, so the reader is defensive: safe tags only, a bounded nesting depth
(libyaml's C composer recurses and crashes the process on deep nesting, so nodes are built here
from the C parser's flat event stream instead), duplicate keys refused, and aliases counted at
their expanded size so an alias bomb is refused before anything walks it.
"""

from __future__ import annotations

import datetime
from typing import Any

import yaml
from yaml import events

from kiosk.flow.locations import MAX_DEPTH, MAX_NODES, DocumentError, SourceLocation

__all__ = ["parse"]

_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER: Any = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_FIRST_CHARS = frozenset(yaml.resolver.Resolver.yaml_implicit_resolvers)
_STR = "tag:yaml.org,2002:str"
_SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")
)

_DATES = frozenset({datetime.date, datetime.datetime})
_NO_KEY: Any = object()
_PLAIN_VALUES: dict[str, Any] = {}
"""Plain scalars that look like a boolean, null, number or date, as resolved (by spelling)."""
_PLAIN_CACHE_SIZE = 4096
_ScalarEvent = events.ScalarEvent
_MappingStart = events.MappingStartEvent
_SequenceStart = events.SequenceStartEvent
_AliasEvent = events.AliasEvent
_ENDS = (events.MappingEndEvent, events.SequenceEndEvent)
_CONTAINERS = (dict, list)


def parse(text: str, path: str) -> tuple[Any, list[int], bool]:
    """The data of one YAML document, the packed place of each of its parts in document order
    (see `Places`), and whether it is plain: no anchors (aliased parts are shared objects) and
    no dates (all the rest is what JSON or msgpack hold as it is); raise `DocumentError`."""

    def where(mark: Any) -> SourceLocation:
        return SourceLocation(path, mark.line + 1, mark.column + 1)

    # The hot loop keeps its state in locals: this runs once per YAML node of every flow.
    packed: list[int] = []
    place = packed.append
    anchors: dict[str, tuple[Any, int]] = {}
    dated = False
    # (container, is_list, anchor, node count at start) of each open container
    stack: list[tuple[Any, bool, str | None, int]] = []
    top: Any = None
    top_list = False
    key: Any = _NO_KEY
    key_position = 0
    top_anchor: str | None = None
    top_start = 0
    nodes = 0
    root: Any = _NO_KEY
    documents = 0
    plain_values = _PLAIN_VALUES
    parser = _Parser(text)
    get_event = parser.get_event
    try:
        while True:
            event = get_event()
            if event is None:
                break
            cls = event.__class__
            if cls is _ScalarEvent:
                value: Any = event.value
                if event.tag is not None:
                    value = _scalar(event, where)
                    dated = dated or value.__class__ in _DATES
                elif event.implicit[0] and value[:1] in _FIRST_CHARS:
                    # keys such as `text` and `next` start like `true` and `null`: each spelling
                    # is resolved once (the values are immutable: str, int, float, bool, None,
                    # dates)
                    resolved = plain_values.get(value, _NO_KEY)
                    if resolved is _NO_KEY:
                        resolved = _scalar(event, where)
                        if len(plain_values) < _PLAIN_CACHE_SIZE:
                            plain_values[value] = resolved
                    value = resolved
                    dated = dated or value.__class__ in _DATES
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
                nodes += 1
            elif cls is _AliasEvent:
                if event.anchor not in anchors:
                    raise DocumentError(
                        where(event.start_mark), f"unknown alias {event.anchor!r}", "yaml-syntax"
                    )
                value, size = anchors[event.anchor]
                nodes += size
            elif cls is _MappingStart or cls is _SequenceStart:
                if event.tag is not None:
                    _check_tag(event, where)
                nodes += 1
                mark = event.start_mark
                position = (mark.line << 24) | mark.column
                if len(stack) >= MAX_DEPTH:
                    raise DocumentError(
                        where(mark), f"nested deeper than {MAX_DEPTH} levels", "too-deep"
                    )
                new: Any = {} if cls is _MappingStart else []
                if top is None:
                    root = new
                    place((position << 48) | position)
                elif top_list:
                    place((position << 48) | position)
                    top.append(new)
                elif key is _NO_KEY:
                    raise DocumentError(where(mark), "a key must be a plain value", "yaml-syntax")
                else:
                    place((key_position << 48) | position)
                    top[key] = new
                    key = _NO_KEY
                stack.append((top, top_list, top_anchor, top_start))
                top, top_list = new, cls is _SequenceStart
                top_anchor, top_start = event.anchor, nodes
                continue
            elif cls in _ENDS:
                if top_anchor:
                    anchors[top_anchor] = (top, nodes - top_start + 1)
                top, top_list, top_anchor, top_start = stack.pop()
                continue
            else:
                if cls is events.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        raise DocumentError(
                            where(event.start_mark),
                            "a flow file holds one YAML document, not several",
                            "yaml-syntax",
                        )
                continue
            # place a scalar or an alias
            mark = event.start_mark
            if nodes > MAX_NODES:
                raise DocumentError(
                    where(mark),
                    f"more than {MAX_NODES} values once aliases are expanded",
                    "too-large",
                )
            position = (mark.line << 24) | mark.column
            if top_list:
                place((position << 48) | position)
                top.append(value)
            elif key is not _NO_KEY:
                place((key_position << 48) | position)
                top[key] = value
                key = _NO_KEY
            elif top is None:
                root = value
                place((position << 48) | position)
            else:
                if cls is _AliasEvent and isinstance(value, _CONTAINERS):  # a scalar never is
                    raise DocumentError(where(mark), "a key must be a plain value", "yaml-syntax")
                if value in top:
                    raise DocumentError(where(mark), f"duplicate key {value!r}", "duplicate-key")
                key, key_position = value, position
    except yaml.MarkedYAMLError as exc:
        problem_mark = exc.problem_mark or exc.context_mark
        location = where(problem_mark) if problem_mark is not None else SourceLocation(path, 1, 1)
        problem = exc.problem or exc.context or "not valid YAML"
        raise DocumentError(location, f"YAML syntax: {problem}", "yaml-syntax") from None
    except yaml.YAMLError as exc:  # the reader's: a character YAML does not allow
        position = getattr(exc, "position", None)
        location = SourceLocation(path, 1, 1)
        if isinstance(position, int):
            line_start = text.rfind("\n", 0, position) + 1
            location = SourceLocation(
                path, text.count("\n", 0, position) + 1, position - line_start + 1
            )
        first = str(exc).splitlines()[0]
        raise DocumentError(location, f"YAML: {first}", "yaml-syntax") from None
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()
    return None if root is _NO_KEY else root, packed, not anchors and not dated


def _check_tag(event: Any, where: Any) -> None:
    tag = event.tag
    if tag not in ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "!"):
        raise DocumentError(where(event.start_mark), f"unsupported YAML tag {tag!r}", "yaml-syntax")


def _scalar(event: Any, where: Any) -> Any:
    """The Python value of a scalar, resolved like `yaml.safe_load` does."""
    value: str = event.value
    tag = event.tag
    if tag is None or tag == "!":
        plain = event.implicit[0]
        if not plain or value[:1] not in _FIRST_CHARS:
            return value
        tag = _RESOLVER.resolve(yaml.ScalarNode, value, event.implicit)
        if tag == _STR:
            return value
        if tag == "tag:yaml.org,2002:merge":
            raise DocumentError(
                where(event.start_mark), "merge keys (<<) are not supported", "yaml-syntax"
            )
        if tag not in _SAFE_TAGS:
            return value
    elif tag not in _SAFE_TAGS:
        raise DocumentError(where(event.start_mark), f"unsupported YAML tag {tag!r}", "yaml-syntax")
    node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
    try:
        return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)
    except Exception as exc:  # PyYAML's constructors fail with anything (KeyError, ...)
        raise DocumentError(
            where(event.start_mark),
            f"bad {tag.rsplit(':', 1)[-1]} value {value!r}: {exc}",
            "yaml-syntax",
        ) from None
