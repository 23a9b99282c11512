"""The persistent bar at the bottom of every screen, its controls always in the same places."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from kivy.graphics import Color, Rectangle
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n import t
from kiosk.ui.theme import Look, Scale
from kiosk.ui.widgets.button import KioskButton

BAR_CONTROLS: tuple[str, ...] = (
    "back",
    "cancel",
    "language",
    "elder",
    "contrast",
    "voice",
    "help",
    "call_staff",
)
"""The bar's controls, left to right; the order never changes between screens."""

SIMPLER: frozenset[str] = frozenset({"language"})
"""Left out of elder mode's simpler bar (the language is chosen once, on the attract screen)."""


def bar_controls(*, elder: bool, attract: bool) -> tuple[str, ...]:
    """The controls shown: elder mode's bar is simpler; the attract screen has its own
    language buttons, so the bar does not offer the language a second time."""
    hidden = SIMPLER if elder or attract else frozenset()
    return tuple(name for name in BAR_CONTROLS if name not in hidden)


def bar_height(scale: Scale) -> float:
    """The bar's height in dp: an icon above one line of label text, never below a target."""
    inner = max(scale.target, scale.icon * 0.9 + scale.caption * 1.3 + 24)
    return float(inner + scale.spacing + 4)


class ServiceBar(BoxLayout):  # type: ignore[misc]
    """Back, cancel, language, 适老模式, high contrast, voice, help and call staff (人工服务),
    each an icon above a short label."""

    def __init__(
        self,
        look: Look,
        lang: str,
        on_action: Callable[[str], None],
        *,
        can_go_back: bool,
        can_cancel: bool,
        attract: bool = False,
        **kwargs: Any,
    ) -> None:
        scale = look.scale
        super().__init__(
            orientation="horizontal",
            size_hint_y=None,
            height=dp(bar_height(scale)),
            padding=dp(scale.spacing / 2 + 2),
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
            "voice": t("ui.bar.voice", lang),
            "help": t("common.help", lang),
            "call_staff": t("common.call_staff", lang),
        }
        on = {"elder": look.elder, "contrast": look.high_contrast}
        self.buttons: dict[str, KioskButton] = {}
        shown = bar_controls(elder=look.elder, attract=attract)
        for name in bar_controls(elder=look.elder, attract=False):
            if name not in shown:
                self.add_widget(Widget())  # keeps every other control in its place
                continue
            role = "staff" if name == "call_staff" else "primary" if on.get(name) else "bar"
            button = KioskButton(
                look,
                texts[name],
                partial(on_action, name),
                role=role,
                kiosk_id=f"bar.{name}",
                font_size=scale.caption,
                icon=name,
                icon_size=scale.icon * 0.9,
                icon_above=True,
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
