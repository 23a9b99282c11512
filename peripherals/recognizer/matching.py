"""Checking recognised text against a prompt's phrases: a grammar biases, it does not reject."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower-case and drop spaces and punctuation, so `예 셋` and `예셋` compare equal."""
    return "".join(ch for ch in _SPACE.sub("", text.lower()) if ch.isalnum())


def match_phrase(text: str, phrases: Sequence[str], cutoff: float = 0.75) -> str | None:
    """The phrase meant: an exact match, else the only phrase inside the text, else a close one."""
    said = normalise(text)
    if not said or not phrases:
        return None
    by_norm = {normalise(p): p for p in phrases if normalise(p)}
    if said in by_norm:
        return by_norm[said]
    inside = [p for n, p in by_norm.items() if n in said]
    if len(inside) == 1:
        return inside[0]
    close = difflib.get_close_matches(said, list(by_norm), n=1, cutoff=cutoff)
    return by_norm[close[0]] if close else None
