"""YAML to plain data with the line and column of every key, value and item kept aside.

Flow files are untrusted, so the reader is defensive: safe tags only, a bounded size, a bounded
nesting depth, duplicate keys refused, aliases counted at their expanded size
(`kiosk.flow.yaml_events`, where PyYAML is imported). A text read before is taken from what was
kept of it (`kiosk.flow.kept_documents`): neither PyYAML nor its parse is needed then.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import msgspec

MAX_BYTES = 1_000_000
"""Largest flow file accepted."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and sequences accepted."""
MAX_NODES = 200_000
"""Most values a file may hold, counting each alias at the size of what it repeats."""

Loc = tuple[str | int, ...]

POSITION = (1 << 48) - 1
"""One packed position: line << 24 | column (files are under 16 MB). A location entry packs the
key's position << 48 | the value's: plain ints are invisible to the cyclic garbage collector,
whereas keeping the parser's Mark objects alive made collections dominate the load time."""


class SourceLocation(msgspec.Struct, frozen=True, order=True):
    """A place in a file: 1-based line and column."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class DocumentError(Exception):
    """The file is not acceptable YAML; `location` says where and `code` what kind of problem."""

    def __init__(self, location: SourceLocation, message: str, code: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message
        self.code = code


class Marks(Mapping[Loc, SourceLocation]):
    """Locations by loc path, kept as the parser's marks and turned into `SourceLocation`s
    only when asked for (most are never asked for, and building them all is costly)."""

    __slots__ = ("_index", "_marks", "_path")

    def __init__(self, path: str, marks: dict[Loc, int], shift: int) -> None:
        self._path = path
        self._marks = marks
        self._index = shift

    def __getitem__(self, loc: Loc) -> SourceLocation:
        position = (self._marks[loc] >> self._index) & POSITION
        return SourceLocation(self._path, (position >> 24) + 1, (position & 0xFFFFFF) + 1)

    def __contains__(self, loc: object) -> bool:
        return loc in self._marks

    def __iter__(self) -> Iterator[Loc]:
        return iter(self._marks)

    def __len__(self) -> int:
        return len(self._marks)


class Document(msgspec.Struct):
    """Plain data read from YAML and where each part came from."""

    data: Any
    keys: Marks
    """Where each mapping key (or sequence item) starts, by its path from the root."""
    values: Marks
    """Where each value starts, by its path from the root."""


def read_document(text: str, path: str, *, keep: bool = True) -> Document:
    """Parse one YAML document into plain data with locations; raise `DocumentError`.
    `keep=False`: neither taken from nor kept in `kept_documents`."""
    if len(text) > MAX_BYTES:
        raise DocumentError(
            SourceLocation(path, 1, 1), f"file larger than {MAX_BYTES} bytes", "too-large"
        )
    from kiosk.flow import kept_documents

    found = kept_documents.kept(text) if keep else None
    if found is not None:
        root, marks = found
    else:
        from kiosk.flow.yaml_events import parse

        root, marks, plain = parse(text, path)
        # not kept: an alias (one object twice, kept it would be two copies), a date (kept, a
        # string)
        if plain and keep:
            kept_documents.keep(text, root, marks)
    return Document(root, Marks(path, marks, 48), Marks(path, marks, 0))
