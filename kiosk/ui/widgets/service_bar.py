"""The persistent bar at the bottom of every screen, its controls always in the same places."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from kivy.graphics import Color, Rectangle
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import t
from kiosk.ui.theme import Look
from kiosk.ui.widgets.button import KioskButton

BAR_CONTROLS: tuple[str, ...] = (
    "back",
    "cancel",
    "language",
    "elder",
    "contrast",
    "help",
    "call_staff",
)
"""The bar's controls, left to right; the order never changes between screens."""


class ServiceBar(BoxLayout):  # type: ignore[misc]
    """Back, cancel, language, elder mode, high contrast, help and call staff (人工服务)."""

    def __init__(
        self,
        look: Look,
        lang: str,
        on_action: Callable[[str], None],
        *,
        can_go_back: bool,
        can_cancel: bool,
        **kwargs: Any,
    ) -> None:
        scale = look.scale
        super().__init__(
            orientation="horizontal",
            size_hint_y=None,
            height=dp(scale.target + 2 * scale.spacing),
            padding=dp(scale.spacing),
            spacing=dp(scale.spacing),
            **kwargs,
        )
        with self.canvas.before:
            Color(*look.theme.rgba("bar"))
            self._bg = Rectangle()
        self.bind(pos=self._paint, size=self._paint)
        on_off = {True: "on", False: "off"}
        texts = {
            "back": t("common.back", lang),
            "cancel": t("common.cancel", lang),
            "language": t("common.language", lang),
            "elder": t(f"ui.bar.elder_{on_off[look.elder]}", lang),
            "contrast": t(f"ui.bar.contrast_{on_off[look.high_contrast]}", lang),
            "help": t("common.help", lang),
            "call_staff": t("common.call_staff", lang),
        }
        self.buttons: dict[str, KioskButton] = {}
        for name in BAR_CONTROLS:
            button = KioskButton(
                look,
                texts[name],
                partial(on_action, name),
                role="staff" if name == "call_staff" else "bar",
                kiosk_id=f"bar.{name}",
                font_size=scale.small,
                fit=True,
            )
            self.buttons[name] = button
            self.add_widget(button)
        self.enable(can_go_back=can_go_back, can_cancel=can_cancel)

    def enable(self, *, can_go_back: bool, can_cancel: bool) -> None:
        """Enable or disable back and cancel for the screen now shown (the bar is reused)."""
        self.buttons["back"].disabled = not can_go_back
        self.buttons["cancel"].disabled = not can_cancel

    def _paint(self, *_: Any) -> None:
        self._bg.pos = self.pos
        self._bg.size = self.size
