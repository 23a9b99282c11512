"""Linux input key codes (`linux/input-event-codes.h`, a stable kernel ABI) by evdev name.

Kept here so key handling works and is testable without the `evdev` package.
"""

from __future__ import annotations

EV_KEY = 1
"""Event type of key presses and releases."""

KEY_RELEASE, KEY_PRESS, KEY_REPEAT = 0, 1, 2
"""Values of an `EV_KEY` event."""

_LETTERS = {
    "Q": 16, "W": 17, "E": 18, "R": 19, "T": 20, "Y": 21, "U": 22, "I": 23, "O": 24, "P": 25,
    "A": 30, "S": 31, "D": 32, "F": 33, "G": 34, "H": 35, "J": 36, "K": 37, "L": 38,
    "Z": 44, "X": 45, "C": 46, "V": 47, "B": 48, "N": 49, "M": 50,
}  # fmt: skip

KEY_CODES: dict[str, int] = {
    "KEY_ESC": 1,
    **{f"KEY_{d}": 1 + d for d in range(1, 10)},
    "KEY_0": 11,
    "KEY_MINUS": 12,
    "KEY_EQUAL": 13,
    "KEY_BACKSPACE": 14,
    "KEY_TAB": 15,
    "KEY_LEFTBRACE": 26,
    "KEY_RIGHTBRACE": 27,
    "KEY_ENTER": 28,
    "KEY_LEFTCTRL": 29,
    "KEY_SEMICOLON": 39,
    "KEY_APOSTROPHE": 40,
    "KEY_GRAVE": 41,
    "KEY_LEFTSHIFT": 42,
    "KEY_BACKSLASH": 43,
    "KEY_COMMA": 51,
    "KEY_DOT": 52,
    "KEY_SLASH": 53,
    "KEY_RIGHTSHIFT": 54,
    "KEY_KPASTERISK": 55,
    "KEY_LEFTALT": 56,
    "KEY_SPACE": 57,
    "KEY_CAPSLOCK": 58,
    **{f"KEY_F{n}": 58 + n for n in range(1, 11)},
    "KEY_NUMLOCK": 69,
    "KEY_KP7": 71,
    "KEY_KP8": 72,
    "KEY_KP9": 73,
    "KEY_KPMINUS": 74,
    "KEY_KP4": 75,
    "KEY_KP5": 76,
    "KEY_KP6": 77,
    "KEY_KPPLUS": 78,
    "KEY_KP1": 79,
    "KEY_KP2": 80,
    "KEY_KP3": 81,
    "KEY_KP0": 82,
    "KEY_KPDOT": 83,
    "KEY_F11": 87,
    "KEY_F12": 88,
    "KEY_KPENTER": 96,
    "KEY_RIGHTCTRL": 97,
    "KEY_KPSLASH": 98,
    "KEY_RIGHTALT": 100,
    "KEY_DELETE": 111,
    "KEY_KPEQUAL": 117,
    "KEY_KPCOMMA": 121,
    **{f"KEY_{letter}": code for letter, code in _LETTERS.items()},
}
"""evdev key name to code."""

KEY_NAMES: dict[int, str] = {code: name for name, code in KEY_CODES.items()}
"""Code to evdev key name."""
