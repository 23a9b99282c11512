"""The inactivity warning: a countdown and one large "more time" button over the screen."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from kivy.graphics import Color, Rectangle
from kivy.metrics import dp
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import t
from kiosk.ui.theme import Look
from kiosk.ui.widgets.button import KioskButton
from kiosk.ui.widgets.label import KioskLabel


class TimeoutOverlay(AnchorLayout):  # type: ignore[misc]
    """Covers the screen (swallowing taps) until the resident asks for more time."""

    def __init__(
        self,
        look: Look,
        lang: str,
        remaining: float,
        on_more_time: Callable[[], None],
        **kwargs: Any,
    ) -> None:
        super().__init__(anchor_x="center", anchor_y="center", **kwargs)
        theme, scale = look.theme, look.scale
        self.look, self.lang = look, lang
        with self.canvas.before:
            Color(0, 0, 0, 0.6)
            self._shade = Rectangle()
        self.bind(pos=self._paint, size=self._paint)
        box = BoxLayout(
            orientation="vertical",
            size_hint=(0.8, None),
            padding=dp(scale.padding * 2),
            spacing=dp(scale.spacing * 2),
        )
        with box.canvas.before:
            Color(*theme.rgba("overlay"))
            self._card = Rectangle()
        box.bind(pos=self._paint_card, size=self._paint_card)
        self.title = KioskLabel(look, t("ui.timeout.title", lang), size="title", halign="center")
        self.countdown = KioskLabel(look, "", size="title", halign="center")
        self.more_time = KioskButton(
            look,
            t("ui.timeout.more_time", lang),
            on_more_time,
            role="primary",
            kiosk_id="timeout.more_time",
            size_hint_y=None,
            height=dp(scale.action_height),
        )
        for widget in (self.title, self.countdown, self.more_time):
            box.add_widget(widget)
        box.height = dp(scale.action_height) + dp(scale.title * 4) + dp(scale.padding * 6)
        self.box = box
        self.add_widget(box)
        self.update(remaining)

    def update(self, remaining: float) -> None:
        """Show the whole seconds left."""
        seconds = max(0, math.ceil(remaining))
        self.seconds = seconds
        self.countdown.text = t("ui.timeout.countdown", self.lang, seconds=seconds)

    def _paint(self, *_: Any) -> None:
        self._shade.pos, self._shade.size = self.pos, self.size

    def _paint_card(self, box: Any, *_: Any) -> None:
        self._card.pos, self._card.size = box.pos, box.size

    def on_touch_down(self, touch: Any) -> bool:
        """Let taps reach the overlay's own button only."""
        super().on_touch_down(touch)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        """Let taps reach the overlay's own button only."""
        super().on_touch_up(touch)
        return True
