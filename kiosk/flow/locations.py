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
"""One packed position: line << 24 | column (files are under 16 MB). A place packs the key's
position << 48 | the value's: plain ints are invisible to the cyclic garbage collector,
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


class Places:
    """The packed place (see `POSITION`) of every part of a document, in document order: the
    root, then each key's value or item before what it holds (a mapping's value packs its
    key's position too). Read as a table by loc path only when a location is asked for (an
    error, a finding): a check of clean flows never asks, and building the table while
    parsing made the parse about a tenth slower."""

    __slots__ = ("_data", "_table", "packed")

    def __init__(self, data: Any, packed: list[int]) -> None:
        self._data = data
        self.packed = packed
        self._table: dict[Loc, int] | None = None

    def table(self) -> dict[Loc, int]:
        """The packed place of each loc path (built on first use)."""
        if self._table is None:
            self._table = _table(self._data, self.packed)
        return self._table


def _table(data: Any, packed: list[int]) -> dict[Loc, int]:
    """Each part's loc path with its place, walking the data in document order (as parsed).

    A mapping or list met again is an alias of one met before (every other one is a new
    object): it has the alias's place, and what it holds was placed where it was defined."""
    table: dict[Loc, int] = {}
    if not packed:
        return table
    places = iter(packed)
    met: set[int] = set()
    pending: list[tuple[Loc, Any]] = [((), data)]
    while pending:
        loc, node = pending.pop()
        table[loc] = next(places, 0)  # 0 (line 1, column 1) only if what was kept is damaged
        if isinstance(node, dict | list) and id(node) not in met:
            met.add(id(node))
            items = node.items() if isinstance(node, dict) else enumerate(node)
            pending.extend(reversed([((*loc, key), value) for key, value in items]))
    return table


class Marks(Mapping[Loc, SourceLocation]):
    """Locations by loc path (of each key, or of each value), turned into `SourceLocation`s
    only when asked for (most are never asked for, and building them all is costly)."""

    __slots__ = ("_index", "_path", "_places")

    def __init__(self, path: str, places: Places, shift: int) -> None:
        self._path = path
        self._places = places
        self._index = shift

    def __getitem__(self, loc: Loc) -> SourceLocation:
        position = (self._places.table()[loc] >> self._index) & POSITION
        return SourceLocation(self._path, (position >> 24) + 1, (position & 0xFFFFFF) + 1)

    def __contains__(self, loc: object) -> bool:
        return loc in self._places.table()

    def __iter__(self) -> Iterator[Loc]:
        return iter(self._places.table())

    def __len__(self) -> int:
        return len(self._places.table())


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
        root, packed = found
    else:
        from kiosk.flow.yaml_events import parse

        root, packed, plain = parse(text, path)
        # not kept: an alias (one object twice, kept it would be two copies), a date (kept, a
        # string)
        if plain and keep:
            kept_documents.keep(text, root, packed)
    places = Places(root, packed)
    return Document(root, Marks(path, places, 48), Marks(path, places, 0))
