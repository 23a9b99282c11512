"""Personal values known by where they came from, found and masked however a text writes them.

The regex `scrub` recognises an ID or phone number only when it is written plainly. A value from
a session's personal-data vault (an ID card read, a personal input, what a template derived from
them) is known exactly, so it is found in any spacing or format: digit by digit (the `digits`
filter), in dashed, dotted or spaced groups, split in two, in full-width digits, in any case.
A number is found in a text's digits alone, so no letters, punctuation or words put between its
digits hide it. What is found is masked in place with the forms used everywhere else (ID and
phone numbers keep their first 3 and last 4 characters, names their first character), then
`scrub` runs as the last line of defence.

Outputs with a session at hand (prompts, results, receipts) use that session's
`PersonalValues`; logs, the journal and speech, which have none, use `conceal`: the values of
every session alive in the process.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from kiosk.privacy.masking import MASK, mask_name, mask_text, scrub

MIN_DIGITS = 7
"""Fewer digits (house numbers, amounts, sex and nation codes) are too common to look for."""
MIN_LETTERS = 2
"""A text value is looked for when it has at least this many letters and digits (a 2-character
name); single characters (sex, nation) identify nobody."""

# A number as a value holds it: digits, perhaps grouped by spaces, dashes, dots or slashes, and an
# ID number's check character X.
_RUN = re.compile(r"\d(?:[\s\-.·_/]*\d)*(?:[Xx](?![A-Za-z]))?")
_GROUP = re.compile(r"\d+(?:[Xx](?![A-Za-z]))?")
_ASCII_DIGITS = re.compile(r"[0-9]+")
_NO_DIGITS = re.compile(
    "[\x00-/:-\x7f\u2000-\u206f\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uff0f\uff1a-\uffef]+"
)
"""Characters that stand for no digit even once folded: ASCII but 0-9, general and CJK
punctuation, CJK ideographs, full-width forms but digits (a probe skips them at C speed)."""
_ASCII_ALNUMS = re.compile(r"[0-9a-z]+")


@dataclass(frozen=True)
class _Number:
    """A personal number: its digits (an X check character is kept apart)."""

    digits: str
    check: bool

    def hidden(self) -> range:
        """Which of its digits are masked: all but the first 3 and last 4 characters."""
        n = len(self.digits)
        if n >= 11:
            head, tail = 3, 4 - self.check
        else:
            head = tail = n // 4
            tail = max(tail - self.check, 0)
        return range(head, max(n - tail, head + 1))


@dataclass(frozen=True)
class _Text:
    """A personal text (a name, an address): its letters and digits, lower-cased."""

    original: str
    key: str
    kept: frozenset[int]
    """Positions in `key` left visible: each word's first (names) or the first 6 (longer text)."""

    @property
    def latin_start(self) -> bool:
        """Whether it must start a word to count (a Latin name inside a longer word does not)."""
        return _latin(self.key[0])

    @property
    def latin_end(self) -> bool:
        """Whether it must end a word to count."""
        return _latin(self.key[-1])

    def canonical(self) -> str:
        """The masked form of the value written as it is: `mask_name` or `mask_text`."""
        if len(self.original) <= 6:
            return mask_name(self.original)
        return mask_text(self.original)


class PersonalValues:
    """The personal values of one session, looked for in every text it outputs."""

    def __init__(self, values: Iterable[object] = ()) -> None:
        numbers: set[_Number] = set()
        texts: dict[str, _Text] = {}
        for leaf in _leaves(values):
            numbers.update(_numbers(leaf))
            text = _text(leaf)
            if text is not None:
                texts.setdefault(text.key, text)
        # Longest first: an ID number is masked before the birth date inside it is looked for.
        self._numbers = sorted(numbers, key=lambda n: (-len(n.digits), n.digits))
        self._texts = sorted(texts.values(), key=lambda t: (-len(t.key), t.key))

    def __bool__(self) -> bool:
        return bool(self._numbers or self._texts)

    def mask(self, text: str) -> str:
        """`text` with every personal value masked, in any format, then scrubbed."""
        if not (self and text):
            return scrub(text)
        if not self.may_occur(_Probe(text)):
            scrubbed = scrub(text)
            if scrubbed == text:
                return text  # what the passes below would give, found without them
        # Masking removes digits and letters, so new neighbours could spell a value again:
        # repeat until a pass finds nothing (each pass that changes something leaves fewer
        # digits and letters, so this ends).
        while True:
            masked = scrub(self._pass(text))
            if masked == text:
                return text
            text = masked

    def leaves_as_is(self, text: str) -> bool:
        """Whether `mask` surely returns `text` unchanged (the quick test alone: False says it
        may not). For several texts at once, join them with line breaks: no value or pattern
        is found across one where it is not found in a part."""
        return scrub(text) == text and not (self and text and self.may_occur(_Probe(text)))

    def mask_value(self, value: Any) -> Any:
        """A JSON-like value with every string (and number) masked; other values unchanged."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float):
            text = str(value)
            masked = self.mask(text)
            return value if masked == text else masked
        if isinstance(value, Mapping):
            return {key: self.mask_value(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.mask_value(item) for item in value]
        return value

    def may_occur(self, probe: _Probe) -> bool:
        """Whether any of these values could be in the text `probe` was made of (a quick test:
        `mask` would change nothing when this is False, but for `scrub`)."""
        digits = probe.digits
        if digits and any(number.digits in digits for number in self._numbers):
            return True
        if not self._texts:
            return False
        significant = probe.significant
        return any(personal.key in significant for personal in self._texts)

    def found_in(self, value: Any) -> bool:
        """Whether a JSON-like value holds any of these personal values (in any format)."""
        return bool(self) and any(self._pass(leaf) != leaf for leaf in _leaves([value]))

    def _pass(self, text: str) -> str:
        # each value is looked for in the same digits and letters until one is masked
        digits: tuple[str, list[int]] | None = None
        for number in self._numbers:
            digits = digits or _digits(text)
            masked = _mask_number(text, number, digits)
            if masked != text:
                text, digits = masked, None
        significant: tuple[str, list[int]] | None = None
        for personal in self._texts:
            significant = significant or _significant(text)
            masked = _mask_text(text, personal, significant)
            if masked != text:
                text, significant = masked, None
        return text


# Finding values in a text ------------------------------------------------------------------------


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _normal(char: str) -> str:
    """A character as compared: compatibility forms folded (full-width, circled), lower case."""
    if char.isascii():
        return char.lower()
    return unicodedata.normalize("NFKC", char).casefold()


def _digits(text: str) -> tuple[str, list[int]]:
    """The digits of `text` (any script's, as 0-9) and where each one stands in it."""
    if text.isascii():
        ascii_where = [index for index, char in enumerate(text) if "0" <= char <= "9"]
        return "".join(text[index] for index in ascii_where), ascii_where
    digits: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        if "0" <= char <= "9":
            digits.append(char)
            where.append(index)
        elif not char.isascii():
            for part in _decimals(char):
                digits.append(part)
                where.append(index)
    return "".join(digits), where


@functools.lru_cache(maxsize=8192)
def _decimals(char: str) -> str:
    """The digits (as 0-9) a character stands for once folded (`①` is 1; most stand for none)."""
    return "".join(str(unicodedata.decimal(part)) for part in _normal(char) if part.isdecimal())


@functools.lru_cache(maxsize=8192)
def _alnums(char: str) -> str:
    """The letters and digits a character is compared as once folded (digits as 0-9)."""
    return "".join(
        str(unicodedata.decimal(part)) if part.isdecimal() else part
        for part in _normal(char)
        if part.isalnum()
    )


def _significant(text: str) -> tuple[str, list[int]]:
    """The letters and digits of `text`, compared as `_normal`, and where each one stands."""
    if text.isascii():
        lower = text.lower()
        ascii_where = [index for index, char in enumerate(lower) if char.isalnum()]
        return "".join(lower[index] for index in ascii_where), ascii_where
    chars: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        for part in _alnums(char):
            chars.append(part)
            where.append(index)
    return "".join(chars), where


def _occurrences(stream: str, key: str) -> Iterator[int]:
    """Starts of the non-overlapping occurrences of `key` in `stream`."""
    start = stream.find(key)
    while start >= 0:
        yield start
        start = stream.find(key, start + len(key))


def _mask_number(text: str, number: _Number, found: tuple[str, list[int]]) -> str:
    digits, where = found
    if number.digits not in digits:
        return text
    chars = list(text)
    hidden = number.hidden()
    for start in _occurrences(digits, number.digits):
        for offset in hidden:
            chars[where[start + offset]] = MASK
    return "".join(chars)


def _mask_text(text: str, personal: _Text, found: tuple[str, list[int]]) -> str:
    stream, where = found
    if personal.key not in stream:
        return text
    size = len(personal.key)
    edits: list[tuple[int, int, str]] = []
    start = stream.find(personal.key)
    while start >= 0:
        first, last = where[start], where[start + size - 1]
        before = text[first - 1] if first > 0 else ""
        after = text[last + 1] if last + 1 < len(text) else ""
        if (personal.latin_start and before and _latin(before)) or (
            personal.latin_end and after and _latin(after)
        ):
            start = stream.find(personal.key, start + 1)
            continue
        span = text[first : last + 1]
        canonical = personal.canonical()
        # The usual masked form when the value is written as it is; it must hide something, so
        # that every pass of `mask` that changes the text leaves fewer letters and digits.
        if span == personal.original and len(_significant(canonical)[0]) < size:
            edits.append((first, last + 1, canonical))
        else:
            masked = [i for i in range(size) if i not in personal.kept] or list(range(1, size))
            edits.extend((where[start + i], where[start + i] + 1, MASK) for i in masked)
        start = stream.find(personal.key, start + size)
    for begin, end, replacement in sorted(edits, reverse=True):
        text = text[:begin] + replacement + text[end:]
    return text


# What a session's values hold -------------------------------------------------------------------


def _leaves(values: Iterable[object]) -> Iterator[str]:
    """Every string (and integer, as text) inside JSON-like values."""
    pending = list(values)
    while pending:
        value = pending.pop()
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, str):
            yield value
        elif isinstance(value, int):
            yield str(value)
        elif isinstance(value, Mapping):
            pending.extend(value.values())
        elif isinstance(value, list | tuple | set | frozenset):
            pending.extend(value)


def _numbers(value: str) -> Iterator[_Number]:
    """The numbers a value holds: each group of digits, and each run of groups written apart."""
    normal = unicodedata.normalize("NFKC", value)
    for pattern in (_GROUP, _RUN):
        for match in pattern.finditer(normal):
            found = match.group(0)
            digits = "".join(c for c in found if c.isdecimal())
            if len(digits) >= MIN_DIGITS:
                yield _Number(digits, found[-1] in "Xx")


def _text(value: str) -> _Text | None:
    """The value as a text to look for: a name or an address, not a number nor masked already."""
    original = value.strip()
    if MASK in original or _RUN.fullmatch(unicodedata.normalize("NFKC", original)):
        return None
    key, _ = _significant(original)
    if len(key) < MIN_LETTERS or key.isdecimal():
        return None
    if len(original) <= 6:
        # Like mask_name: the first character of each word stays.
        starts = {0}
        position = 0
        for word in original.split():
            starts.add(position)
            position += len(_significant(word)[0])
        kept = frozenset(starts) if len(starts) < len(key) else frozenset({0})
    else:
        kept = frozenset(range(min(6, len(key) - 1)))
    return _Text(original, key, kept)


# Sessions alive in the process ------------------------------------------------------------------


class HoldsPersonal(Protocol):
    """Something holding personal values now (a session)."""

    @property
    def personal(self) -> PersonalValues:
        """Its personal values as they are now."""
        ...


@dataclass(frozen=True)
class _Gathered:
    """The non-empty values of the live sessions, and what any of them could be found by."""

    values: list[PersonalValues]
    numbers: frozenset[str]
    """The digits of every number of every live session."""
    keys: frozenset[str]
    """The letters and digits of every text of every live session."""
    ascii_keys: frozenset[str]
    """Those keys that an ASCII text could hold."""

    @classmethod
    def of(cls, values: list[PersonalValues]) -> _Gathered:
        numbers = frozenset(n.digits for v in values for n in v._numbers)
        keys = frozenset(t.key for v in values for t in v._texts)
        return cls(values, numbers, keys, frozenset(key for key in keys if key.isascii()))

    def could_hold(self, probe: _Probe) -> bool:
        """Whether some live session's value could be in the probed text (a quick test)."""
        if self.numbers:
            digits = probe.digits
            if len(digits) >= MIN_DIGITS and any(number in digits for number in self.numbers):
                return True
        keys = self.ascii_keys if probe.text.isascii() else self.keys
        if not keys:
            return False
        significant = probe.significant
        return any(key in significant for key in keys)


_NOTHING = _Gathered([], frozenset(), frozenset(), frozenset())


class _Live:
    """The sessions of this process, held weakly: a session nobody keeps drops out by itself.

    Each holder's values are kept here while they are not empty (a holder says when they change,
    `values_changed`), so gathering them never walks the sessions that hold nothing (ended ones
    not yet collected); the gathering is redone only after a change.
    """

    def __init__(self) -> None:
        # re-entrant: a holder collected while the lock is held drops out from its callback
        self._lock = threading.RLock()
        self._refs: dict[int, weakref.ref[Any]] = {}
        self._values: dict[int, PersonalValues] = {}
        self._gathered: _Gathered | None = _NOTHING

    def add(self, holder: HoldsPersonal) -> None:
        key = id(holder)
        with self._lock:
            self._refs[key] = weakref.ref(holder, functools.partial(self._gone, key))
        self.changed(holder)

    def changed(self, holder: HoldsPersonal) -> None:
        values = holder.personal
        key = id(holder)
        with self._lock:
            if key not in self._refs:
                return
            if values:
                self._values[key] = values
            elif self._values.pop(key, None) is None:
                return
            self._gathered = None

    def _gone(self, key: int, ref: weakref.ref[Any]) -> None:
        with self._lock:
            if self._refs.get(key) is ref:
                del self._refs[key]
            if self._values.pop(key, None) is not None:
                self._gathered = None

    def gathered(self) -> _Gathered:
        with self._lock:
            if self._gathered is None:
                values = list(self._values.values())
                self._gathered = _Gathered.of(values) if values else _NOTHING
            return self._gathered


_LIVE = _Live()


def track(holder: HoldsPersonal) -> None:
    """Have `conceal` mask `holder`'s personal values for as long as it lives; the holder calls
    `values_changed` whenever its values change."""
    _LIVE.add(holder)


def values_changed(holder: HoldsPersonal) -> None:
    """A tracked holder's personal values changed: `conceal` masks with them from now on."""
    _LIVE.changed(holder)


class _Probe:
    """A text's digits and letters, worked out once when first asked for, for testing many
    sessions' values against it (`PersonalValues.may_occur`)."""

    __slots__ = ("_digits", "_significant", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._digits: str | None = None
        self._significant: str | None = None

    @property
    def digits(self) -> str:
        """The text's digits, as `_digits` finds them."""
        if self._digits is None:
            text = self.text
            if text.isascii():
                self._digits = "".join(_ASCII_DIGITS.findall(text))
            else:
                rest = _NO_DIGITS.sub("", text)
                self._digits = rest if rest.isascii() else _digits(rest)[0]
        return self._digits

    @property
    def significant(self) -> str:
        """The text's letters and digits, as `_significant` finds them."""
        if self._significant is None:
            text = self.text
            self._significant = (
                "".join(_ASCII_ALNUMS.findall(text.lower()))
                if text.isascii()
                else _significant(text)[0]
            )
        return self._significant


_PLAIN_NAMES = re.compile(r"[A-Za-z0-9_.:-]*(?:\n[A-Za-z0-9_.:-]*)*")
"""Identifiers written by a flow's author or the kiosk (flow, step and event names), a line each."""
_LONG_NUMBER = re.compile(f"[0-9]{{{MIN_DIGITS}}}")


def plain_names(names: tuple[str, ...]) -> bool:
    """Whether every one of `names` is an identifier (nobody's data: it may be kept in memory
    to be probed once): ASCII letters, digits and `_.:-`, and no number long enough to be
    looked for."""
    joined = "\n".join(names)
    return _PLAIN_NAMES.fullmatch(joined) is not None and not _LONG_NUMBER.search(joined)


@functools.lru_cache(maxsize=1024)
def _names_probe(names: tuple[str, ...]) -> _Probe:
    """The probe of plain names, worked out once: a journal entry's terminal, flow, step and
    event come from a small set."""
    probe = _Probe(scrub("\n".join(names)))
    _ = probe.digits, probe.significant  # both worked out now, kept with the probe
    return probe


def concealer(texts: Iterable[str], names: tuple[str, ...] = ()) -> Callable[[str], str]:
    """`conceal`, or `scrub` alone when no live session's value could be in any of `texts` or
    `names`.

    For output made of several texts (a journal entry's fields): the live values are gathered
    and tested once for all of them, rather than once a text. `names` must be plain
    (`plain_names`): their probe is kept between calls.
    """
    live = _LIVE.gathered()
    if not live.values:
        return scrub
    if names and live.could_hold(_names_probe(names)):
        return conceal
    # scrubbed as one text: what `scrub` masks is a run of digits, which no line break joins
    joined = "\n".join(texts)
    if joined and live.could_hold(_Probe(scrub(joined))):
        return conceal
    return scrub


def conceal(text: str) -> str:
    """`text` with the personal values of every live session masked, then scrubbed.

    For outputs that have no session at hand: log records, journal entries, speech. The text
    is scrubbed first and its digits and letters worked out once; a text that no live value
    could be in (most: step names, events) is done then, else each session whose values could
    be in it masks it.
    """
    text = scrub(text)
    live = _LIVE.gathered()
    if not live.values:
        return text
    probe = _Probe(text)
    if not live.could_hold(probe):
        return text
    for values in live.values:
        if values.may_occur(probe):
            masked = values.mask(text)
            if masked != text:
                text, probe = masked, _Probe(masked)
    return scrub(text)
