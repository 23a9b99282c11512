"""The keys of the accessibility keypad."""

from __future__ import annotations

import enum


class Key(enum.StrEnum):
    """One keypad key; the value is what `KEY_PRESSED` events carry."""

    DIGIT_0 = "0"
    DIGIT_1 = "1"
    DIGIT_2 = "2"
    DIGIT_3 = "3"
    DIGIT_4 = "4"
    DIGIT_5 = "5"
    DIGIT_6 = "6"
    DIGIT_7 = "7"
    DIGIT_8 = "8"
    DIGIT_9 = "9"
    STAR = "*"
    HASH = "#"
    ENTER = "enter"
    CLEAR = "clear"
    CANCEL = "cancel"
    PLUS = "plus"
    MINUS = "minus"
    REPEAT = "repeat"
    HELP = "help"
    VOICE = "voice"
    LANGUAGE = "language"
    """Switch the interface language (中文 / English)."""
    ELDER = "elder"
    """Elder mode (适老模式): large text on screen."""
    CONTRAST = "contrast"
    """High contrast on screen."""
    STAFF = "staff"
    """Call staff (人工服务)."""
    SERVICE = "service"
    """The maintainers' key (inside the cabinet): opens the service menu between sessions."""

    @classmethod
    def parse(cls, text: str | Key) -> Key:
        """A key from its name (`DIGIT_5`, case-insensitive) or its value (`5`, `enter`)."""
        if isinstance(text, Key):
            return text
        try:
            return cls[text.upper()]
        except KeyError:
            pass
        try:
            return cls(text.lower())
        except ValueError:
            raise ValueError(f"unknown keypad key {text!r}") from None
