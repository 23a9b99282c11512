"""Typing a code instead of scanning it: which characters and how many, read from the pattern.

A `scan_code` step's `pattern` (`[A-Z]{0,4}[0-9]{8,20}`) says what a code may hold. The touch
screen offers a keyboard of those characters (letters and digits, or digits alone) and the
tactile keypad types the digits among them; what is typed is checked by the step itself, as a
scanned code is. The pattern is read with the `re` module's own parser: a pattern it cannot
read leaves every letter and digit typeable (the step's check still decides).
"""

from __future__ import annotations

import functools
import importlib
import logging
import re
import string
from typing import Any

import msgspec

log = logging.getLogger(__name__)

# The parser `re.compile` itself uses (Python ≥ 3.11; untyped, private to `re`, stable since).
_parser: Any = importlib.import_module("re._parser")
_sre: Any = importlib.import_module("re._constants")

DIGITS = string.digits
ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
"""The characters a code's keyboard can offer, in the order they are listed."""
MAX_TYPED = 32
"""The longest code typed by hand (a longer one is scanned)."""


class CodeTyping(msgspec.Struct, frozen=True):
    """How a code may be typed: the characters of `ALPHABET` it can hold, its longest length."""

    characters: str
    max_length: int = MAX_TYPED

    @property
    def letters(self) -> bool:
        """Whether the code can hold letters (a keyboard of letters and digits)."""
        return any(char.isalpha() for char in self.characters)

    @property
    def upper(self) -> bool:
        """Whether letters are typed upper case (unless only lower case ones are allowed)."""
        chars = self.characters
        return any(c.isupper() for c in chars) or not any(c.islower() for c in chars)


ANY_CODE = CodeTyping(string.digits + string.ascii_uppercase)
"""A step without a pattern (or one that cannot be read): digits and capital letters."""


@functools.lru_cache(maxsize=64)  # a step asks on every visit: read its pattern once
def code_typing(pattern: str | None) -> CodeTyping:
    """What can be typed for a code matching `pattern` (None: any code)."""
    if pattern is None:
        return ANY_CODE
    try:
        parsed = _parser.parse(pattern)
        found: set[str] = set()
        _collect(parsed, bool(parsed.state.flags & re.IGNORECASE), found)
        longest = min(int(parsed.getwidth()[1]), MAX_TYPED)
    except re.error as exc:  # an unreadable pattern still has its own check at the step
        log.warning("cannot read a scan pattern (%s): every letter and digit typeable", exc)
        return ANY_CODE
    characters = "".join(char for char in ALPHABET if char in found)
    return CodeTyping(characters, max(longest, 1))


def type_code(typing: CodeTyping, typed: str, key: str) -> str | None:
    """The code after typing `key` after `typed`, or None when the code cannot hold it there."""
    if len(key) != 1 or key not in typing.characters or len(typed) >= typing.max_length:
        return None
    return typed + key


def _collect(items: Any, ignore_case: bool, found: set[str]) -> None:
    """Add to `found` every character of `ALPHABET` the parsed pattern `items` can match."""
    for op, arg in items:
        if op is _sre.LITERAL:
            _add(chr(arg), ignore_case, found)
        elif op is _sre.NOT_LITERAL or op is _sre.ANY:
            found.update(char for char in ALPHABET if op is _sre.ANY or ord(char) != arg)
        elif op is _sre.IN:
            found.update(char for char in ALPHABET if _in_set(arg, char, ignore_case))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            _collect(arg[2], ignore_case, found)
        elif op is _sre.SUBPATTERN:
            add_flags, del_flags = arg[1], arg[2]
            case = (ignore_case or bool(add_flags & re.IGNORECASE)) and not (
                del_flags & re.IGNORECASE
            )
            _collect(arg[3], case, found)
        elif op is _sre.BRANCH:
            for branch in arg[1]:
                _collect(branch, ignore_case, found)
        elif op is _sre.ATOMIC_GROUP:
            _collect(arg, ignore_case, found)
        elif op is _sre.GROUPREF_EXISTS:
            for branch in arg[1:]:
                if branch is not None:
                    _collect(branch, ignore_case, found)
        # AT, ASSERT, ASSERT_NOT, GROUPREF: nothing of their own (a group referred to is
        # collected where it stands)


def _add(char: str, ignore_case: bool, found: set[str]) -> None:
    for each in (char, char.swapcase()) if ignore_case else (char,):
        if each in ALPHABET:
            found.add(each)


def _in_set(items: Any, char: str, ignore_case: bool) -> bool:
    """Whether a character class (`[A-Z]`, `\\d`, `[^-]`) matches `char`."""
    chars = (char, char.swapcase()) if ignore_case else (char,)
    negate = False
    matched = False
    for op, arg in items:
        if op is _sre.NEGATE:
            negate = True
        elif op is _sre.LITERAL:
            matched |= any(ord(each) == arg for each in chars)
        elif op is _sre.RANGE:
            matched |= any(arg[0] <= ord(each) <= arg[1] for each in chars)
        elif op is _sre.CATEGORY:
            matched |= any(_in_category(arg, each) for each in chars)
    return matched is not negate


def _in_category(category: Any, char: str) -> bool:
    digit, word, space = char.isdigit(), char.isalnum() or char == "_", char.isspace()
    table = {
        _sre.CATEGORY_DIGIT: digit,
        _sre.CATEGORY_NOT_DIGIT: not digit,
        _sre.CATEGORY_WORD: word,
        _sre.CATEGORY_NOT_WORD: not word,
        _sre.CATEGORY_SPACE: space,
        _sre.CATEGORY_NOT_SPACE: not space,
    }
    return bool(table.get(category, False))
