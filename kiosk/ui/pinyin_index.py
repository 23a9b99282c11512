"""Pinyin → Chinese character and word candidates for the on-screen pinyin keyboard.

Built from pypinyin's data: `pinyin_dict` (every character's readings) gives the syllable index,
`phrases_dict` gives two- to four-character words and, by how often a character appears in
them, a rough frequency order. Characters are ranked GB2312 level 1, then level 2, then the rest
of GBK and the CJK basic block, so rare name characters (堃 喆 赟 昇) are reachable on a later page.
`ü` is typed as `v`, as on every Chinese pinyin keyboard.

The ranked table is written once (per pypinyin version) by a child process to
`$XDG_CACHE_HOME/kiosk/pinyin-*.tsv` and memory-mapped: the kiosk never holds pypinyin's 56 MB
phrase dictionary, and the pages of the file it reads are the kernel's to drop.
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
import mmap
import os
import subprocess
import sys
import threading
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

CJK_FIRST, CJK_LAST = 0x4E00, 0x9FFF
TABLE_FORMAT = "t1"
"""Changes when the table file's layout or ranking changes (a new file is written)."""
BUILD_TIMEOUT = 120.0
"""Seconds the child process writing the table may take."""


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


def build_table() -> tuple[dict[str, str], dict[str, list[str]]]:
    """From pypinyin's data: each syllable's characters, best first, and each toneless key's
    words, most used first (pypinyin's phrase dictionary costs 56 MB once imported)."""
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
    chars = {s: "".join(entry[-1] for entry in sorted(c)) for s, c in by_syllable.items()}

    words: dict[str, list[str]] = defaultdict(list)
    for phrase, pinyins in phrases.items():
        if 2 <= len(phrase) <= 4 and all(_gb2312_level(c) == 1 for c in phrase):
            key = "".join(toneless(p[0]) for p in pinyins)
            words[key].append(phrase)
    ranked = {k: sorted(v, key=lambda w: (-sum(uses[c] for c in w), w)) for k, v in words.items()}
    return chars, ranked


def write_table(path: Path) -> None:
    """Write the table as sorted lines, `c:<syllable>\t<characters>` and `w:<key>\t<words>`,
    after a first `#\t<syllables>` line, so that it can be searched where it lies on disk."""
    chars, words = build_table()
    lines = [f"#\t{' '.join(sorted(chars))}".encode()]
    body = [f"c:{s}\t{c}".encode() for s, c in chars.items()]
    body += [f"w:{k}\t{' '.join(v)}".encode() for k, v in words.items()]
    lines += sorted(body)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_bytes(b"\n".join(lines) + b"\n")
    os.replace(partial, path)


def table_file() -> Path:
    """Where the table is kept between starts (one per pypinyin version and table format)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    try:
        version = importlib.metadata.version("pypinyin")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return Path(base) / "kiosk" / f"pinyin-{version}-{TABLE_FORMAT}.tsv"


class _MappedTable:
    """The table file memory-mapped: a line is found by binary search where it lies."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as file:
            self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        first = self._map[: self._map.find(b"\n")].decode()
        self.syllables = first.split("\t", 1)[1].split()

    def _value(self, key: str) -> str:
        data, wanted = self._map, key.encode()
        lo, hi = 0, len(data)
        while lo < hi:  # the first line whose key is not below the wanted one
            mid = (lo + hi) // 2
            start = data.rfind(b"\n", 0, mid) + 1
            if data[start : data.find(b"\t", start)] < wanted:
                lo = data.find(b"\n", start) + 1
            else:
                hi = start
        tab = data.find(b"\t", lo)
        if tab < 0 or data[lo:tab] != wanted:
            return ""
        return data[tab + 1 : data.find(b"\n", tab)].decode()

    def chars(self, syllable: str) -> str:
        return self._value(f"c:{syllable}")

    def words(self, key: str) -> list[str]:
        return self._value(f"w:{key}").split()


class _MemoryTable:
    """The table built in this process (when no file could be written or read)."""

    def __init__(self) -> None:
        self._chars, self._words = build_table()
        self.syllables = sorted(self._chars)

    def chars(self, syllable: str) -> str:
        return self._chars.get(syllable, "")

    def words(self, key: str) -> list[str]:
        return self._words.get(key, [])


def _table(path: Path) -> _MappedTable | _MemoryTable:
    """The mapped table file, written first by a child process (so this one never holds
    pypinyin's dictionaries); built in memory here if that fails."""
    if not path.is_file():
        try:
            subprocess.run(
                [sys.executable, "-m", __name__, str(path)],
                check=True,
                capture_output=True,
                timeout=BUILD_TIMEOUT,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("the pinyin table could not be written (%s): built in memory", exc)
    try:
        return _MappedTable(path)
    except (OSError, ValueError, IndexError) as exc:
        log.warning("the pinyin table %s could not be read (%s): built in memory", path, exc)
        return _MemoryTable()


class PinyinIndex:
    """Candidates for a typed pinyin string: whole words first, then single characters."""

    def __init__(self, path: Path | None = None) -> None:
        self.table = _table(path or table_file())
        self.syllables: list[str] = self.table.syllables
        self._known = set(self.syllables)

    def split(self, typed: str) -> list[str]:
        """Greedy longest-first split of typed letters into syllables (`xingming` → xing ming)."""
        out: list[str] = []
        rest = typed
        while rest:
            for length in range(min(6, len(rest)), 0, -1):
                if rest[:length] in self._known:
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
        out = [Candidate(w, len(key)) for w in self.table.words(key)]
        first = self.split(key)[0]
        if first in self._known:
            out.extend(Candidate(c, len(first)) for c in self.table.chars(first))
        else:
            # an unfinished syllable ("zh") offers the characters of the syllables it starts
            for syllable in self.syllables:
                if syllable.startswith(first):
                    out.extend(Candidate(c, len(first)) for c in self.table.chars(syllable)[:10])
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


if __name__ == "__main__":  # the child process that writes the table: python -m ... PATH
    write_table(Path(sys.argv[1]))
