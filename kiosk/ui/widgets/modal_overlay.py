"""A card over a shaded screen that swallows every tap outside its own controls."""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Rectangle
from kivy.metrics import dp
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout

from kiosk.ui.theme import Look


class ModalOverlay(AnchorLayout):  # type: ignore[misc]
    """The shade and the centred card (`box`); subclasses fill the card."""

    def __init__(self, look: Look, **kwargs: Any) -> None:
        super().__init__(anchor_x="center", anchor_y="center", **kwargs)
        scale = look.scale
        with self.canvas.before:
            Color(0, 0, 0, 0.6)
            self._shade = Rectangle()
        self.bind(pos=self._paint, size=self._paint)
        self.box = BoxLayout(
            orientation="vertical",
            size_hint=(0.8, None),
            padding=dp(scale.padding * 2),
            spacing=dp(scale.spacing * 2),
        )
        with self.box.canvas.before:
            Color(*look.theme.rgba("overlay"))
            self._card = Rectangle()
        self.box.bind(pos=self._paint_card, size=self._paint_card)
        self.add_widget(self.box)

    def _paint(self, *_: Any) -> None:
        self._shade.pos, self._shade.size = self.pos, self.size

    def _paint_card(self, box: Any, *_: Any) -> None:
        self._card.pos, self._card.size = box.pos, box.size

    def on_touch_down(self, touch: Any) -> bool:
        """Only the card's controls react while the overlay is up."""
        super().on_touch_down(touch)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        """Only the card's controls react while the overlay is up."""
        super().on_touch_up(touch)
        return True
