"""YAML documents kept parsed between processes: the data and locations `read_document` made of
a text, in `$XDG_CACHE_HOME/kiosk/documents/` (`kept_files`), one file per text.

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

import logging
from typing import Any

import msgspec

from kiosk.flow.kept_files import KeptFiles
from kiosk.flow.locations import POSITION

__all__ = ["KEPT", "keep", "kept"]

log = logging.getLogger(__name__)

KEPT = KeptFiles("documents", ("yaml_events.py", "locations.py", "kept_documents.py"), "yaml")
"""The kept documents (`$XDG_CACHE_HOME/kiosk/documents/`)."""


_Kept = tuple[Any, list[int]]


def kept(text: str) -> tuple[Any, list[int]] | None:
    """The data and packed places (`Places`) kept of `text`, or None when none are."""
    raw = KEPT.read(text)
    if raw is None:
        return None
    try:
        data, halves = msgspec.msgpack.decode(raw, type=_Kept)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:  # damaged: parsed again
        log.debug("kept document unreadable: %s", exc)
        return None
    if len(halves) % 2:
        log.debug("kept document unreadable: half a place")
        return None
    keys, values = halves[::2], halves[1::2]
    return data, [key << 48 | value for key, value in zip(keys, values, strict=True)]


def keep(text: str, data: Any, packed: list[int]) -> None:
    """Keep what `text` was read as: plain data (`yaml_events.parse` says which), which msgpack
    gives back exactly (mappings with any plain keys, lists, str, int, float, bool, None)."""
    if not KEPT.room():
        return
    # a place packs two positions (key << 48 | value): over 64 bits, so kept as two
    halves = [half for place in packed for half in (place >> 48, place & POSITION)]
    try:
        raw = msgspec.msgpack.encode((data, halves))
    except (OverflowError, TypeError) as exc:  # an integer beyond 64 bits: not kept
        log.debug("document not kept: %s", exc)
        return
    KEPT.write(text, raw)
