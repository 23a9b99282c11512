"""A notice the resident asked for (help, staff called), closed with one large button."""

from __future__ import annotations

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


class NoticeOverlay(AnchorLayout):  # type: ignore[misc]
    """A message card over the screen; "OK" calls `on_close`; taps elsewhere are swallowed."""

    def __init__(
        self, look: Look, lang: str, text: str, on_close: Callable[[], None], **kwargs: Any
    ) -> None:
        super().__init__(anchor_x="center", anchor_y="center", **kwargs)
        scale = look.scale
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
        box.bind(minimum_height=box.setter("height"))
        with box.canvas.before:
            Color(*look.theme.rgba("overlay"))
            self._card = Rectangle()
        box.bind(pos=self._paint_card, size=self._paint_card)
        self.label = KioskLabel(look, text, size="action", halign="center")
        box.add_widget(self.label)
        box.add_widget(
            KioskButton(
                look,
                t("ui.notice.ok", lang),
                on_close,
                role="primary",
                kiosk_id="notice.ok",
                size_hint_y=None,
                height=dp(scale.action_height),
            )
        )
        self.box = box
        self.add_widget(box)

    def _paint(self, *_: Any) -> None:
        self._shade.pos, self._shade.size = self.pos, self.size

    def _paint_card(self, box: Any, *_: Any) -> None:
        self._card.pos, self._card.size = box.pos, box.size

    def on_touch_down(self, touch: Any) -> bool:
        """Only the card's button reacts while the notice is up."""
        super().on_touch_down(touch)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        """Only the card's button reacts while the notice is up."""
        super().on_touch_up(touch)
        return True
