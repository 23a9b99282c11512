"""Long texts cut into pages at paragraph, then sentence, then character boundaries."""

from __future__ import annotations

import re
from collections.abc import Iterator

_SENTENCE = re.compile(r"(?<=[。！？；])|(?<=[.!?;])(?=\s)")
"""After a Chinese full stop (or the like), or a Latin one followed by a space (not 31.50)."""


def paginate(text: str, size: int) -> list[str]:
    """`text` in pages of at most `size` characters, cut where a reader would pause."""
    pages: list[str] = []
    current = ""
    for piece, new_paragraph in _pieces(text, size):
        joined = current + ("\n" if new_paragraph and current else "") + piece
        if current and len(joined) > size:
            pages.append(current)
            current = piece
        else:
            current = joined
    if current:
        pages.append(current)
    return pages or [""]


def _pieces(text: str, size: int) -> Iterator[tuple[str, bool]]:
    """Sentences no longer than `size`, each saying whether it starts a paragraph."""
    for paragraph in (p.strip() for p in text.splitlines()):
        first = True
        for sentence in _SENTENCE.split(paragraph):
            for start in range(0, len(sentence), size):
                yield sentence[start : start + size], first
                first = False
