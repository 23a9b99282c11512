"""Turn a keyboard-wedge scanner's key events into codes (US layout, Enter ends a code)."""

from __future__ import annotations

import logging
import string

from peripherals.scanner.keycodes import KEY_PRESS

log = logging.getLogger(__name__)

_PUNCTUATION = {
    "KEY_MINUS": ("-", "_"),
    "KEY_EQUAL": ("=", "+"),
    "KEY_LEFTBRACE": ("[", "{"),
    "KEY_RIGHTBRACE": ("]", "}"),
    "KEY_SEMICOLON": (";", ":"),
    "KEY_APOSTROPHE": ("'", '"'),
    "KEY_GRAVE": ("`", "~"),
    "KEY_BACKSLASH": ("\\", "|"),
    "KEY_COMMA": (",", "<"),
    "KEY_DOT": (".", ">"),
    "KEY_SLASH": ("/", "?"),
    "KEY_SPACE": (" ", " "),
    "KEY_TAB": ("\t", "\t"),
    "KEY_KPASTERISK": ("*", "*"),
    "KEY_KPMINUS": ("-", "-"),
    "KEY_KPPLUS": ("+", "+"),
    "KEY_KPSLASH": ("/", "/"),
    "KEY_KPDOT": (".", "."),
}

CHARACTERS: dict[str, tuple[str, str]] = {
    **{f"KEY_{c.upper()}": (c, c.upper()) for c in string.ascii_lowercase},
    **{f"KEY_{d}": (d, s) for d, s in zip("1234567890", "!@#$%^&*()", strict=True)},
    **{f"KEY_KP{d}": (d, d) for d in "0123456789"},
    **_PUNCTUATION,
}
"""Key name to (unshifted, shifted) character on a US layout."""

SHIFT_KEYS = frozenset({"KEY_LEFTSHIFT", "KEY_RIGHTSHIFT"})
"""Keys that shift while held."""

END_KEYS = frozenset({"KEY_ENTER", "KEY_KPENTER"})
"""Keys that end a code."""


class KeyBurstDecoder:
    """Feed it `(key name, value)` events; it returns a code when Enter is pressed.

    Values follow evdev: 1 press, 0 release, 2 auto-repeat (ignored: scanners never hold keys).
    Unknown keys are counted in `ignored` and skipped; an over-long burst is dropped.
    """

    def __init__(self, max_length: int = 4096) -> None:
        self._chars: list[str] = []
        self._shift: set[str] = set()
        self._caps = False
        self._max_length = max_length
        self.ignored = 0
        """Key presses that do not type anything this decoder knows."""

    @property
    def known_keys(self) -> frozenset[str]:
        """Every key name the decoder reacts to."""
        return frozenset(CHARACTERS) | SHIFT_KEYS | END_KEYS | {"KEY_CAPSLOCK"}

    def feed(self, key: str, value: int) -> str | None:
        """Process one key event; returns the finished code on Enter, else None."""
        if key in SHIFT_KEYS:
            if value:
                self._shift.add(key)
            else:
                self._shift.discard(key)
            return None
        if value != KEY_PRESS:
            return None
        if key == "KEY_CAPSLOCK":
            self._caps = not self._caps
            return None
        if key in END_KEYS:
            code, self._chars = "".join(self._chars), []
            return code or None
        pair = CHARACTERS.get(key)
        if pair is None:
            self.ignored += 1
            return None
        shifted = bool(self._shift)
        if self._caps and pair[0].isalpha():
            shifted = not shifted
        self._chars.append(pair[1] if shifted else pair[0])
        if len(self._chars) > self._max_length:
            log.warning("dropped a key burst longer than %d characters", self._max_length)
            self._chars = []
        return None

    def reset(self) -> None:
        """Forget a half-typed code and the modifier state."""
        self._chars, self._shift, self._caps = [], set(), False
