"""YAML documents kept parsed between processes: the data and locations `read_document` made of
a text, in `$XDG_CACHE_HOME/kiosk/documents/` (or `~/.cache/kiosk/`), one file per text.

A `kiosk flows run` reads its flow, the flows it calls, its answers file and its receipt
templates: parsing them is a millisecond or two, importing PyYAML to do it several more. A file
is named by the SHA-256 of the text and a fingerprint of the reader (`yaml_events.py`,
`locations.py`, this module and the installed PyYAML), so a changed text or a changed reader
never finds what was kept before. Only data that comes back exactly as parsed is kept (mappings,
lists, strings, numbers, booleans and nulls: not a date, not an integer beyond 64 bits); a text
with an error is not kept (it is parsed again, and the error told again). An unreadable,
damaged or unwritable cache means the text is parsed again.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import sys
from pathlib import Path
from typing import Any

import msgspec

from kiosk.flow.locations import POSITION, Loc

__all__ = ["folder", "keep", "kept"]

log = logging.getLogger(__name__)

_READERS = ("yaml_events.py", "locations.py", "kept_documents.py")
"""The modules whose code decides what a text is read as."""


def folder() -> Path:
    """Where parsed documents are kept."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kiosk" / "documents"


@functools.cache
def _fingerprint() -> str | None:
    """A digest of the reader's modules and the installed PyYAML; None when one cannot be
    read (nothing is kept then)."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    try:
        for name in _READERS:
            digest.update((here / name).read_bytes())
    except OSError as exc:
        log.debug("parsed documents not kept: %s", exc)
        return None
    pyyaml = _pyyaml()
    if pyyaml is None:
        return None
    digest.update(pyyaml.encode())
    return digest.hexdigest()[:16]


def _pyyaml() -> str | None:
    """Where PyYAML is installed and its `__init__.py`'s size and time (its version is in it),
    found as `import yaml` would find a package, without importing it."""
    for entry in sys.path:
        init = os.path.join(entry or ".", "yaml", "__init__.py")
        try:
            stat = os.stat(init)
        except OSError:
            continue
        return f"{os.path.abspath(init)}:{stat.st_size}:{stat.st_mtime_ns}"
    return None


def _file(text: str) -> Path | None:
    fingerprint = _fingerprint()
    if fingerprint is None:
        return None
    name = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return folder() / f"{fingerprint}-{name}.msgpack"


def kept(text: str) -> tuple[Any, dict[Loc, int]] | None:
    """The data and packed positions kept of `text`, or None when none are."""
    path = _file(text)
    if path is None:
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    try:
        data, marks = msgspec.msgpack.decode(raw)
        return data, {tuple(entry[:-2]): entry[-2] << 48 | entry[-1] for entry in marks}
    except (msgspec.DecodeError, TypeError, ValueError) as exc:  # damaged: parsed again
        log.debug("kept document %s unreadable: %s", path.name, exc)
        return None


def keep(text: str, data: Any, marks: dict[Loc, int]) -> None:
    """Keep what `text` was read as, when it comes back exactly so."""
    path = _file(text)
    if path is None:
        return
    try:
        # an entry is (key position << 48 | value position): over 64 bits, so kept as two
        entries = [[*loc, mark >> 48, mark & POSITION] for loc, mark in marks.items()]
        raw = msgspec.msgpack.encode([data, entries])
    except (OverflowError, TypeError) as exc:  # an integer beyond 64 bits, a date: not kept
        log.debug("document not kept: %s", exc)
        return
    if not _same(msgspec.msgpack.decode(raw)[0], data):
        return
    try:
        os.makedirs(path.parent, mode=0o700, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        partial.write_bytes(raw)
        os.replace(partial, path)
    except OSError as exc:
        log.debug("document not kept: %s", exc)


def _same(a: Any, b: Any) -> bool:
    """Whether `a` and `b` are equal and of the same types all the way down (1, 1.0 and True
    are equal, but not the same value read from YAML)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return len(a) == len(b) and all(
            type(key) is type(other) and key == other and _same(a[key], b[other])
            for key, other in zip(a, b, strict=True)
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)
