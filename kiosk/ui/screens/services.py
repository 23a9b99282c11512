"""The service catalogue: categories along the top, the chosen category's services below."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.i18n import t
from kiosk.ui.catalogue import Category, ServiceEntry, pick
from kiosk.ui.theme import Look
from kiosk.ui.widgets.button import KioskButton
from kiosk.ui.widgets.label import KioskLabel


class CatalogueScreen(BoxLayout):  # type: ignore[misc]
    """Tapping an available service calls `on_choose(service_id)`; an unavailable one explains.

    Each service shows its keypad number (the menu prompt's: category order, then list order)
    so digits can pick it; the tactile keypad's focus (`state["focus_service"]`, set by the
    shell) is drawn on that service, its category opened to show it.
    """

    def __init__(
        self,
        look: Look,
        lang: str,
        categories: Sequence[Category],
        services: Sequence[ServiceEntry],
        on_choose: Callable[[str], None],
        state: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        scale = look.scale
        super().__init__(
            orientation="vertical",
            padding=dp(scale.padding),
            spacing=dp(scale.spacing * 1.5),
            **kwargs,
        )
        self.look, self.lang, self.state = look, lang, state
        self.services, self._on_choose = list(services), on_choose
        used = [c for c in categories if any(s.category == c.id for s in services)]
        focused = next((s for s in self.services if s.id == state.get("focus_service")), None)
        if focused is not None:
            state["category"] = focused.category
        if used and state.get("category") not in {c.id for c in used}:
            state["category"] = used[0].id
        self.add_widget(KioskLabel(look, t("ui.catalogue.title", lang), size="title"))
        tabs = GridLayout(
            cols=min(max(len(used), 1), 2 if look.elder else 4),
            spacing=dp(scale.spacing),
            size_hint_y=None,
        )
        tabs.bind(minimum_height=tabs.setter("height"))
        for category in used:
            tabs.add_widget(
                KioskButton(
                    look,
                    pick(category.title, lang),
                    partial(self._select, category.id),
                    role="primary" if category.id == state.get("category") else "secondary",
                    kiosk_id=f"category.{category.id}",
                    size_hint_y=None,
                    height=dp(scale.action_height),
                )
            )
        self.add_widget(tabs)
        self.message = KioskLabel(look, state.get("message", ""))
        self.add_widget(self.message)
        order = {c.id: i for i, c in enumerate(categories)}
        ranked = sorted(self.services, key=lambda s: order.get(s.category, len(order)))
        numbers = {s.id: n for n, s in enumerate(ranked, start=1)}
        grid = GridLayout(
            cols=1 if look.elder else 2, spacing=dp(scale.spacing * 1.5), size_hint_y=None
        )
        grid.bind(minimum_height=grid.setter("height"))
        for service in self.services:
            if service.category != state.get("category"):
                continue
            title = f"[b]{numbers[service.id]}[/b]   {pick(service.title, lang)}"
            if not service.available:
                title += t("ui.catalogue.unavailable_suffix", lang)
            button = KioskButton(
                look,
                title,
                partial(self._choose, service),
                role="primary" if service.available else "secondary",
                kiosk_id=f"service.{service.id}",
                size_hint_y=None,
                height=dp(scale.action_height),
            )
            button.focused = service is focused
            grid.add_widget(button)
        self.add_widget(grid)
        self.add_widget(BoxLayout())

    def _select(self, category_id: str) -> None:
        self.state["category"] = category_id
        self.state["message"] = ""
        # a tapped tab wins over the keypad's focus, which would reopen its own category
        self.state.pop("focus_service", None)
        self.state.pop("focus", None)
        rerender = self.state.get("rerender")
        if callable(rerender):
            rerender()

    def _choose(self, service: ServiceEntry) -> None:
        if service.available:
            self._on_choose(service.id)
            return
        self.state["message"] = t("ui.catalogue.unavailable", self.lang)
        self.message.text = self.state["message"]
