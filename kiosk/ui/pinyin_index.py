"""Pinyin → Chinese character and word candidates for the on-screen pinyin keyboard.

Built from pypinyin's data: `pinyin_dict` (every character's readings) gives the syllable index,
`phrases_dict` gives two- to four-character words and, by how often a character appears in
them, a rough frequency order. Characters are ranked GB2312 level 1, then level 2, then the rest
of GBK and the CJK basic block, so rare name characters (堃 喆 赟 昇) are reachable on a later page.
`ü` is typed as `v`, as on every Chinese pinyin keyboard.
"""

from __future__ import annotations

import functools
import logging
import threading
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass

log = logging.getLogger(__name__)

CJK_FIRST, CJK_LAST = 0x4E00, 0x9FFF


@functools.cache  # about 1,500 distinct readings, looked up 150,000 times while building
def toneless(reading: str) -> str:
    """`lǜ` → `lv`, `zhāng` → `zhang`: a reading as typed on a keyboard without tones."""
    decomposed = unicodedata.normalize("NFD", reading.lower()).replace("u\u0308", "v")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.cache
def _gb2312_level(ch: str) -> int:
    """1 or 2 for GB2312 level-1/level-2 hanzi, 3 for other GBK, 4 for the rest."""
    try:
        code = ch.encode("gb2312")
    except UnicodeEncodeError:
        try:
            ch.encode("gbk")
        except UnicodeEncodeError:
            return 4
        return 3
    return 1 if code[0] < 0xD8 else 2


@dataclass(frozen=True)
class Candidate:
    """A word or character offered for the typed pinyin; `consumed` letters are used up by it."""

    text: str
    consumed: int


class PinyinIndex:
    """Candidates for a typed pinyin string: whole words first, then single characters."""

    def __init__(self) -> None:
        from pypinyin import phrases_dict, pinyin_dict

        phrases: dict[str, list[list[str]]] = phrases_dict.phrases_dict
        readings: dict[int, str] = pinyin_dict.pinyin_dict
        uses: Counter[str] = Counter()
        for phrase in phrases:
            uses.update(phrase)

        # a character's main reading (listed first) ranks before its rarer readings
        by_syllable: dict[str, list[tuple[int, int, int, int, str]]] = defaultdict(list)
        for code, text in readings.items():
            if not CJK_FIRST <= code <= CJK_LAST:
                continue
            ch = chr(code)
            level = _gb2312_level(ch)
            seen: set[str] = set()
            for position, reading in enumerate(text.split(",")):
                syllable = toneless(reading)
                if syllable not in seen:
                    seen.add(syllable)
                    by_syllable[syllable].append((level, min(position, 1), -uses[ch], code, ch))
        self.chars: dict[str, list[str]] = {
            s: [entry[-1] for entry in sorted(c)] for s, c in by_syllable.items()
        }
        self.syllables: list[str] = sorted(self.chars)

        words: dict[str, list[str]] = defaultdict(list)
        for phrase, pinyins in phrases.items():
            if 2 <= len(phrase) <= 4 and all(_gb2312_level(c) == 1 for c in phrase):
                key = "".join(toneless(p[0]) for p in pinyins)
                words[key].append(phrase)
        self.words: dict[str, list[str]] = {
            k: sorted(v, key=lambda w: (-sum(uses[c] for c in w), w)) for k, v in words.items()
        }

    def split(self, typed: str) -> list[str]:
        """Greedy longest-first split of typed letters into syllables (`xingming` → xing ming)."""
        out: list[str] = []
        rest = typed
        while rest:
            for length in range(min(6, len(rest)), 0, -1):
                if rest[:length] in self.chars:
                    out.append(rest[:length])
                    rest = rest[length:]
                    break
            else:
                out.append(rest)
                break
        return out

    def candidates(self, typed: str, limit: int = 200) -> list[Candidate]:
        """Words and characters for `typed` (lower-case letters, `v` for ü), best first."""
        key = typed.strip().lower()
        if not key:
            return []
        out = [Candidate(w, len(key)) for w in self.words.get(key, [])]
        first = self.split(key)[0]
        if first in self.chars:
            out.extend(Candidate(c, len(first)) for c in self.chars[first])
        else:
            # an unfinished syllable ("zh") offers the characters of the syllables it starts
            for syllable in self.syllables:
                if syllable.startswith(first):
                    out.extend(Candidate(c, len(first)) for c in self.chars[syllable][:10])
        unique = {c.text: c for c in reversed(out)}  # keep each text's first (best) entry
        return [unique[c.text] for c in out if unique[c.text] is c][:limit]


_index: PinyinIndex | None = None
_building = threading.Lock()
"""Held while the index is built: a caller that needs it meanwhile waits for that build."""


def pinyin_index() -> PinyinIndex:
    """The shared index, built once (a few tenths of a second; see `build_in_background`)."""
    global _index
    index = _index
    if index is not None:
        return index
    with _building:
        if _index is None:
            _index = PinyinIndex()
        return _index


def build_in_background() -> threading.Thread | None:
    """Start building the shared index in a daemon thread (None when it is already built).

    Call it once the first screen is up, so the first free-text screen does not stall; a
    screen that needs the index before the thread is done waits for it, without building twice.
    """
    if _index is not None:
        return None
    thread = threading.Thread(target=_build_quietly, name="pinyin-index", daemon=True)
    thread.start()
    return thread


def _build_quietly() -> None:
    try:
        pinyin_index()
    except Exception:  # the screen that needs it builds it again and shows the error there
        log.exception("the pinyin index could not be built")
