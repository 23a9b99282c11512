"""Plain data the attract and catalogue screens are fed with (no kivy here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kiosk.flow.languages import LANGUAGES


def pick(text: Mapping[str, str] | str, lang: str) -> str:
    """A multilingual text in `lang`, falling back to the default language, then any."""
    if isinstance(text, str):
        return text
    return text.get(lang) or text.get(LANGUAGES[0]) or next(iter(text.values()), "")


@dataclass(frozen=True)
class Category:
    """A group of services (社保, 医保, 民政, ...)."""

    id: str
    title: Mapping[str, str]


@dataclass(frozen=True)
class ServiceEntry:
    """One service on the menu; `reason` says why it is unavailable (for staff, not shown)."""

    id: str
    title: Mapping[str, str]
    category: str
    available: bool = True
    reason: str = ""


@dataclass(frozen=True)
class AttractInfo:
    """What the attract screen shows: the terminal's name and the languages offered."""

    terminal_name: Mapping[str, str] | str
    languages: tuple[str, ...] = field(default=LANGUAGES)
    voice_key_hint: bool = True
