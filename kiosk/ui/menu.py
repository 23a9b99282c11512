"""The service menu a resident sees: the catalogue's usable flows for this terminal's mode.

Unavailable services are hidden from residents (their reason is kept for staff and the log);
the same menu is a `choose` prompt for the keypad and the voice, numbered in screen order.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from kiosk.app import CatalogueEntry
from kiosk.flow.prompt import Prompt, PromptKind, PromptOption
from kiosk.flow.schema import LANGUAGES, Flow
from kiosk.i18n import catalog, t
from kiosk.ui.catalogue import Category, ServiceEntry

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


@dataclass
class Menu:
    """What the catalogue screen and the keypad offer, and what is hidden (and why)."""

    categories: list[Category] = field(default_factory=list)
    services: list[ServiceEntry] = field(default_factory=list)
    hidden: dict[str, str] = field(default_factory=dict)
    """Flow id → why it is not offered now (for staff, never shown to residents)."""

    def prompt(self, lang: str) -> Prompt:
        """The menu as a `choose` prompt (keypad numbers follow the screen's order)."""
        options = tuple(
            PromptOption(s.id, s.title.get(lang) or s.id, s.title.get(lang) or s.id, number)
            for number, s in enumerate(self.ordered(), start=1)
        )
        text = t("ui.catalogue.title", lang)
        return Prompt(
            flow=MENU_FLOW,
            step="menu",
            kind=PromptKind.CHOOSE,
            text=text,
            say=text,
            options=options,
            language=lang,
        )

    def ordered(self) -> list[ServiceEntry]:
        """Services in category order, as the screen lists them."""
        order = {c.id: i for i, c in enumerate(self.categories)}
        return sorted(self.services, key=lambda s: order.get(s.category, len(order)))


def build_menu(entries: Sequence[CatalogueEntry], mode: str) -> Menu:
    """Turn the catalogue into the menu for a terminal of `mode`."""
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
        menu.services.append(ServiceEntry(flow.id, dict(flow.title.root), flow.category))
        if flow.category not in seen:
            seen.append(flow.category)
    menu.categories = [Category(c, category_title(c)) for c in seen]
    return menu


__all__ = ["MENU_FLOW", "Menu", "build_menu", "category_title", "for_mode"]
