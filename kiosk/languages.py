"""The kiosk's languages: a leaf module, so translations and the flow language share one table."""

from __future__ import annotations

import re
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


PLURAL_FORMS = ("one", "other")
"""The plural categories (CLDR's names) a text may give forms for: English has both, Chinese
only "other" (a noun has one form whatever the count: 1 件, 2 件)."""

_COUNTED = re.compile(r"\b(\d+) (\w+)\((e?s)\)")


def plural(count: object, lang: str) -> str:
    """The plural category of `count` in `lang`: "one" for 1 in English, else "other"."""
    return "one" if lang != "zh_CN" and str(count).strip() == "1" else "other"


def counted(text: str, lang: str) -> str:
    """`text` with each counted noun in its number's form: "1 parcel(s)" is "1 parcel" and
    "2 parcel(s)" "2 parcels" ("box(es)": "boxes"); Chinese text is left as it is.

    Texts (flows' and `locales/`) write an English count so, the number just before the noun;
    what the screen shows, the voice says and the printer prints all go through here.
    """
    if lang == "zh_CN" or "(" not in text:
        return text

    def form(match: re.Match[str]) -> str:
        count, noun, ending = match.groups()
        return f"{count} {noun}" if plural(count, lang) == "one" else f"{count} {noun}{ending}"

    return _COUNTED.sub(form, text)
