"""The kiosk's languages: a leaf module, so translations and the flow language share one table."""

from __future__ import annotations

from collections.abc import Iterable

LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
"""Languages every text must carry; the first is the default."""


_FULL_WIDTH_ENDS = ("。", "，", "！", "？", "；", "：")


def join_sentences(parts: Iterable[str]) -> str:
    """Sentences as one text: a space after a Latin sentence, none after a Chinese one."""
    text = ""
    for part in parts:
        if not part:
            continue
        gap = "" if not text or text.endswith(_FULL_WIDTH_ENDS) else " "
        text = f"{text}{gap}{part}"
    return text
