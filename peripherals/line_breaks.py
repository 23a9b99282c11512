"""Where Chinese text may break across lines, and the text broken to a width: for the screen
(Kivy markup allowed) and for receipt printers alike.

Kivy wraps only at spaces, and moves a whole space-separated run to the next line when it does
not fit: "已存入 A-03 号格口…" left "A-03" alone on a line above "号格口的门已打开", and a run
with no space is split at any character, "24 小时" or "A-03号" included. Chinese typesetting
breaks between any two characters, except that a compartment id or a number stays with the
words after it ("A-03 号", "24 小时"), a closing mark never starts a line (避头) and an opening
mark never ends one (避尾). `broken` puts the line breaks in itself, so Kivy wraps nothing; a
printer's receipt lines are broken by the same rules (`markup=False`: brackets are text there).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

CLOSING = frozenset("，。、；：？！）》」』”’…】〕")
"""Punctuation that Chinese typesetting never starts a line with (避头点)."""
OPENING = frozenset("（《「『“‘【〔")
"""Punctuation that Chinese typesetting never ends a line with (避尾点)."""
MARKUP = re.compile(r"\[/?[a-z_]+(?:=[^\]]*)?\]|&bl;|&br;|&amp;")
"""Kivy markup tags (drawn as nothing) and escapes (drawn as one character)."""
_ESCAPES = {"&bl;": "[", "&br;": "]", "&amp;": "&"}


def cjk(char: str) -> bool:
    """A Chinese character or full-width mark: a line may break before or after it."""
    return (
        "\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\uff00" <= char <= "\uffef"
    )


def has_cjk(text: str) -> bool:
    """Whether any character of `text` is Chinese."""
    return any(cjk(char) for char in text)


def _glued(before: str, after: str) -> bool:
    """Whether a line must not break between these two characters (a space between them
    or not)."""
    if after in CLOSING or before in OPENING:
        return True
    # an id or a number keeps the words after it: "A-03 号格口", "24 小时"
    return before.isascii() and before.isalnum() and cjk(after)


def _atoms(text: str, markup: bool) -> tuple[list[str], list[str]]:
    """`text` as characters as drawn, each with what it is written as (markup tags ride on
    the character after them; those at the end, on the last)."""
    if not markup:
        return list(text), list(text)
    drawn: list[str] = []
    written: list[str] = []
    pending = ""
    at = 0
    for found in MARKUP.finditer(text):
        for char in text[at : found.start()]:
            drawn.append(char)
            written.append(pending + char)
            pending = ""
        token = found.group()
        if token in _ESCAPES:
            drawn.append(_ESCAPES[token])
            written.append(pending + token)
            pending = ""
        else:
            pending += token
        at = found.end()
    for char in text[at:]:
        drawn.append(char)
        written.append(pending + char)
        pending = ""
    if pending:
        if written:
            written[-1] += pending
        else:
            written.append(pending)
            drawn.append("")
    return drawn, written


def _breaks(drawn: list[str]) -> list[int]:
    """Indexes before which a line may break (after any spaces before them)."""
    found = []
    last = ""  # the last character that was not a space
    spaced = False
    for i, char in enumerate(drawn):
        if char == " ":
            spaced = bool(last)
            continue
        if last and (spaced or cjk(last) or cjk(char)) and not _glued(last, char):
            found.append(i)
        if char:
            last, spaced = char, False
    return found


def broken(text: str, width: float, measure: Callable[[str], float], *, markup: bool = True) -> str:
    """`text` (Kivy markup allowed, unless `markup` is False) with a line break wherever the
    next unbreakable run would not fit in `width` as `measure` measures drawn text; a run wider
    than a line is left to the caller to split. Existing line breaks are kept."""
    return "\n".join(_paragraph(p, width, measure, markup) for p in text.split("\n"))


def _width(drawn: str, measure: Callable[[str], float]) -> float:
    return measure(drawn) if drawn else 0.0


def _paragraph(text: str, width: float, measure: Callable[[str], float], markup: bool) -> str:
    drawn, written = _atoms(text, markup)
    cuts = [0, *_breaks(drawn), len(drawn)]
    lines: list[tuple[int, int]] = []
    start = 0
    used = 0.0  # the line so far, its trailing spaces included
    # each run is measured once and the line is their sum: Chinese has no kerning across
    # runs, and a long text costs one short measure per run, not one per run of the line
    for begin, end in pairwise(cuts):
        run = "".join(drawn[begin:end])
        if used and used + _width(run.rstrip(" "), measure) > width:  # trailing spaces hang
            lines.append((start, begin))
            start, used = begin, 0.0
        used += _width(run, measure)
    lines.append((start, len(drawn)))
    out = []
    for begin, end in lines:
        hung = end  # spaces at a line's end are dropped, markup tags riding on them kept
        while hung > begin and drawn[hung - 1] == " ":
            hung -= 1
        out.append("".join(written[begin:hung] + [w[:-1] for w in written[hung:end]]))
    return "\n".join(out)
