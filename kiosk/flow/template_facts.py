"""What the static checks need to know of a template, from one parse and one walk of its tree.

Loading and linting ask several questions of every template and condition (does it parse, which
names and dotted paths does it read, which values does it cut up or filter); answering each with
a parse of its own made template parsing most of the time of `kiosk flows check`. `facts`
parses a source once, walks the tree once, and keeps the answers by source.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from kiosk.flow.sandbox_names import FILTERS, MAX_SOURCE

__all__ = ["KEEPS_SHAPE", "TemplateFacts", "facts"]

KEEPS_SHAPE = frozenset({"default", "d", "string", "trim", "e", "escape"})
"""Filters that leave a value as it is shown (so masking it by its shape still works)."""

CACHE_SIZE = 1 << 18
"""Sources whose facts are kept: every template of a few thousand flows, so that the linter
finds what the loader learnt (a few hundred bytes each)."""


class TemplateFacts(NamedTuple):
    """What a template or expression is and reads."""

    error: str | None
    """Why it cannot be used (syntax, unknown filter or test, certain to exceed its budget)."""
    names: frozenset[str]
    """Top-level names it reads (empty when it has an error)."""
    paths: frozenset[tuple[str, ...]]
    """Dotted paths it reads, e.g. `("cert", "pages")`, and each name read (empty when it does
    not parse)."""
    reshaped: frozenset[str]
    """Names whose value it slices, indexes or filters other than with `mask_*` (or a filter
    that keeps the shape)."""


_NOTHING = TemplateFacts(None, frozenset(), frozenset(), frozenset())

# The shapes most templates and conditions have, read without Jinja's lexer and parser (which
# would give the same facts, about ten times slower): `text {{ a.b | filter }} text`,
# `{{ a.b + 3 - c }}` and `a.b == 'literal'`. Anything else (another construct, a keyword, `%`
# in a literal that the budget checks, escapes) goes through Jinja.
_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_PATH = rf"({_IDENT})((?:\.{_IDENT})*)"
_OUTPUT = re.compile(rf"\{{\{{ *{_PATH} *(?:\| *({_IDENT}) *)?\}}\}}")
_INTEGER = r"0|[1-9][0-9]{0,8}"
_OPERAND = rf"{_IDENT}(?:\.{_IDENT})*|{_INTEGER}"
_SUM = re.compile(rf"\{{\{{ *(?:{_OPERAND})(?: *[-+] *(?:{_OPERAND}))+ *\}}\}}")
"""Sums and differences of names and small whole numbers: no filter, nothing the budget
limits (a `+` of two numbers or of two values read cannot be refused before it runs)."""
_SUM_PATH = re.compile(rf"(?<![A-Za-z0-9_.]){_PATH}")
_PLAIN_TEXT = re.compile(r"[^{}]*")
_CONDITION = re.compile(
    rf" *{_PATH} *(?:==|!=) *(?:'[^'\\%{{}}]*'|\"[^\"\\%{{}}]*\"|0|[1-9][0-9]{{0,8}}) *"
)
_NOT_NAMES = frozenset({"true", "false", "none", "True", "False", "None"})
_KEYWORDS = frozenset({"and", "or", "not", "in", "is", "if", "else"})


def _quick(source: str, expression: bool) -> TemplateFacts | None:
    """The facts of a source of one of the common shapes, or None for Jinja to read."""
    # (name, ".attr.attr", filter or None) of each path read
    read: list[tuple[str, str, str | None]] = []
    if expression:
        match = _CONDITION.fullmatch(source)
        if match is None:
            return None
        read.append((match.group(1), match.group(2), None))
    else:
        position = outputs = 0
        plain = _PLAIN_TEXT.match
        while True:
            position = plain(source, position).end()  # type: ignore[union-attr]
            if position == len(source):
                break
            outputs += 1
            found = _OUTPUT.match(source, position)
            if found is not None:
                read.append((found.group(1), found.group(2), found.group(3)))
                position = found.end()
                continue
            total = _SUM.match(source, position)
            if total is None:
                return None
            for operand in _SUM_PATH.finditer(source, position + 2, total.end() - 2):
                read.append((operand.group(1), operand.group(2), None))
            position = total.end()
        if not outputs:
            return None  # plain text
    return _read_facts(tuple(read))


_Read = tuple[tuple[str, str, str | None], ...]
"""(name, ".attr.attr", filter or None) of each path a source of a common shape reads."""


@functools.lru_cache(maxsize=4096)
def _read_facts(read: _Read) -> TemplateFacts | None:
    """The facts of what a source reads (many sources read the same: a catalogue's texts
    differ around the same few values), or None for Jinja to read."""
    names: set[str] = set()
    paths: set[tuple[str, ...]] = set()
    reshaped: set[str] = set()
    for name, rest, filter_name in read:
        if name in _NOT_NAMES or name in _KEYWORDS:
            return None
        attrs = rest.split(".")[1:]
        if any(attr in _KEYWORDS or attr in _NOT_NAMES for attr in attrs):
            return None
        names.add(name)
        paths.add((name,))
        for end in range(1, len(attrs) + 1):
            paths.add((name, *attrs[:end]))
        if filter_name is None:
            continue
        if filter_name in _KEYWORDS or filter_name in _NOT_NAMES:
            return None
        if filter_name not in FILTERS:
            return None  # Jinja's reading gives the error
        if not (filter_name.startswith("mask_") or filter_name in KEEPS_SHAPE):
            reshaped.add(name)
    return TemplateFacts(None, frozenset(names), frozenset(paths), frozenset(reshaped))


@functools.lru_cache(maxsize=CACHE_SIZE)
def facts(source: str, expression: bool) -> TemplateFacts:
    """The facts of a template (or, with `expression`, a condition), cached by source.

    The verdict is `expressions.syntax_error`'s without compiling to Python (the compile would
    be most of the cost): unknown filters and tests, the only compile-time errors a parsed
    template can have, are checked on the syntax tree instead.
    """
    if not expression and "{" not in source:
        return _NOTHING  # every Jinja construct starts with `{`
    if len(source) > MAX_SOURCE:
        return _shape_only(f"longer than {MAX_SOURCE} characters", source, expression)
    quick = _quick(source, expression)
    if quick is not None:
        return quick
    return _parsed(source, expression)


def _parsed(source: str, expression: bool) -> TemplateFacts:
    """The facts as Jinja's parser reads the source (Jinja imported only then), or as it read
    it in an earlier process (`kept_facts`)."""
    from kiosk.flow import kept_facts

    found = kept_facts.kept(source, expression)
    if found is not None:
        return found
    from kiosk.flow.template_reading import parsed

    facts = parsed(source, expression)
    kept_facts.keep(source, expression, facts)
    return facts


def _shape_only(error: str, source: str, expression: bool) -> TemplateFacts:
    from kiosk.flow.template_reading import shape_only

    return shape_only(error, source, expression)
