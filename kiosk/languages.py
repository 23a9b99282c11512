"""The kiosk's languages: a leaf module, so translations and the flow language share one table."""

from __future__ import annotations

from collections.abc import Iterable

LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
"""Languages every text must carry; the first is the default."""


_FULL_WIDTH_ENDS = ("。", "，", "！", "？", "；", "：")
_STOPS = ("。", "！", "？", ".", "!", "?", "；", ";", "：", ":")


def end_sentence(text: str, lang: str) -> str:
    """`text` ending in a stop (。 in Chinese, . otherwise), so another sentence may follow it."""
    text = text.rstrip()
    if not text or text.endswith(_STOPS):
        return text
    return text + ("。" if lang == "zh_CN" else ".")


def join_sentences(parts: Iterable[str]) -> str:
    """Sentences as one text: a space after a Latin sentence, none after a Chinese one."""
    text = ""
    for part in parts:
        if not part:
            continue
        gap = "" if not text or text.endswith(_FULL_WIDTH_ENDS) else " "
        text = f"{text}{gap}{part}"
    return text
