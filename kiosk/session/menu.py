"""The service menu a resident sees: the catalogue's usable flows for this terminal's mode.

Unavailable services are hidden from residents (their reason is kept for staff and the log).
The menu is one `menu` prompt for every sense: its options are the services, numbered for the
keypad in screen order (category by category), each in its category's group.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kiosk.app import CatalogueEntry
from kiosk.flow.languages import LANGUAGES
from kiosk.flow.prompt import OptionGroup, Prompt, PromptKind, PromptOption
from kiosk.flow.schema import Flow
from kiosk.i18n import catalog, t

log = logging.getLogger(__name__)


MENU_FLOW = "$menu"
"""The pseudo flow id of the menu prompt (never a real flow id: those cannot start with $)."""


def for_mode(flow: Flow, mode: str) -> bool:
    """Whether a flow belongs on a terminal of `mode` (`government` or `locker`)."""
    return mode in flow.modes


def category_title(category: str) -> dict[str, str]:
    """A category's name in every language (`ui.category.<id>`, else the id itself)."""
    key = f"ui.category.{category}"
    if not catalog().has(key):
        readable = category.replace("_", " ").capitalize()
        return dict.fromkeys(LANGUAGES, readable)
    return {lang: t(key, lang) for lang in LANGUAGES}


@dataclass(frozen=True)
class Category:
    """A group of services (社保, 医保, 民政, ...)."""

    id: str
    title: Mapping[str, str]


@dataclass(frozen=True)
class Service:
    """One service on the menu."""

    id: str
    title: Mapping[str, str]
    category: str
    icon: str = ""
    """Material Design Icons name of its tile ("": the default service icon)."""
    uses: int = 0
    """Sessions that started it on this terminal: the most used come first."""


@dataclass
class Menu:
    """What the menu offers, in screen order, and what is hidden (and why)."""

    categories: list[Category] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    hidden: dict[str, str] = field(default_factory=dict)
    """Flow id → why it is not offered now (for staff, never shown to residents)."""

    def prompt(self, lang: str, timeout: float | None = None) -> Prompt:
        """The menu as a `menu` prompt (keypad numbers follow the screen's order)."""
        options = []
        for number, service in enumerate(self.ordered(), start=1):
            title = _pick(service.title, lang, service.id)
            options.append(
                PromptOption(service.id, title, title, number, service.category, service.icon)
            )
        text = t("ui.catalogue.title", lang)
        return Prompt(
            flow=MENU_FLOW,
            step="menu",
            kind=PromptKind.MENU,
            text=text,
            say=text,
            options=tuple(options),
            groups=tuple(OptionGroup(c.id, _pick(c.title, lang, c.id)) for c in self.categories),
            timeout=timeout,
            language=lang,
        )

    def ordered(self) -> list[Service]:
        """Services in category order, the most used first within each, as the screen lists
        them (categories are ordered by their most used service)."""
        order = {c.id: i for i, c in enumerate(self.categories)}
        return sorted(self.services, key=lambda s: (order.get(s.category, len(order)), -s.uses))


def build_menu(
    entries: Sequence[CatalogueEntry], mode: str, usage: Mapping[str, int] | None = None
) -> Menu:
    """Turn the catalogue into the menu for a terminal of `mode` (`usage`: sessions per flow
    id, most used first)."""
    usage = usage or {}
    menu = Menu()
    seen: list[str] = []
    for entry in entries:
        flow = entry.flow
        if not for_mode(flow, mode):
            continue
        if not entry.available:
            menu.hidden[flow.id] = entry.reason or "unavailable"
            log.info("service %s hidden from residents: %s", flow.id, menu.hidden[flow.id])
            continue
        uses = usage.get(flow.id, 0)
        menu.services.append(
            Service(flow.id, dict(flow.title.root), flow.category, flow.icon or "", uses)
        )
        if flow.category not in seen:
            seen.append(flow.category)
    busiest = {c: max(s.uses for s in menu.services if s.category == c) for c in seen}
    seen.sort(key=lambda c: -busiest[c])  # stable: equal use keeps the catalogue's order
    menu.categories = [Category(c, category_title(c)) for c in seen]
    return menu


def _pick(text: Mapping[str, str], lang: str, fallback: str) -> str:
    return text.get(lang) or text.get(LANGUAGES[0]) or fallback


__all__ = ["MENU_FLOW", "Category", "Menu", "Service", "build_menu", "category_title", "for_mode"]
