"""Themed labels that wrap to their width and grow to their text."""

from __future__ import annotations

from typing import Any

from kivy.metrics import dp
from kivy.uix.label import Label

from kiosk.ui.theme import Look
from kiosk.ui.widgets.text_cache import CachedText

SIZES = ("caption", "body", "small", "title", "action", "keypad", "display")


class KioskLabel(CachedText, Label):  # type: ignore[misc]
    """Text in the theme's colour at one of the scale's sizes, wrapped, as tall as its text."""

    def __init__(
        self,
        look: Look,
        text: str,
        *,
        size: str = "body",
        role: str = "text",
        halign: str = "left",
        fixed_height: bool = False,
        **kwargs: Any,
    ) -> None:
        if size not in SIZES:
            raise ValueError(f"unknown text size {size!r}")
        scale = look.scale
        super().__init__(
            text=text,
            markup=True,
            color=look.theme.rgba(role),
            font_size=dp(getattr(scale, size)),
            line_height=scale.line_height,
            halign=halign,
            valign="middle",
            **kwargs,
        )
        if not fixed_height:
            self.size_hint_y = None
            self.bind(texture_size=self._fit, text=self._fit)
            self._fit()  # an empty label sends no texture event: not Kivy's default 100 px
        self.bind(width=self._wrap)
        self._wrap()

    def _wrap(self, *_: Any) -> None:
        self.text_size = (max(self.width, 1), None)

    def _fit(self, *_: Any) -> None:
        # an empty label (a message line with nothing to say yet) takes no room on the screen
        self.height = self.texture_size[1] if self.text else 0
