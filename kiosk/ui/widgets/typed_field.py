"""The field typed text is shown in: large, on the surface colour, outlined like a control."""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Line, Rectangle
from kivy.metrics import dp

from kiosk.ui.theme import Look
from kiosk.ui.widgets.label import KioskLabel


class TypedField(KioskLabel):
    """What has been typed so far, at keypad size (or `size`) in a box of fixed height;
    `outline(True)` draws the thick focus outline (the tactile keypad types into it)."""

    def __init__(self, look: Look, *, size: str = "keypad", **kwargs: Any) -> None:
        scale = look.scale
        kwargs.setdefault("height", dp(max(float(getattr(scale, size)) * 1.9, scale.target * 0.9)))
        super().__init__(look, "", size=size, fixed_height=True, size_hint_y=None, **kwargs)
        self.look = look
        with self.canvas.before:
            Color(*look.theme.rgba("surface"))
            self._background = Rectangle()
            self._border_colour = Color(*look.theme.rgba("border"))
            self._border = Line(width=dp(1.5))
        self.bind(pos=self._paint, size=self._paint)
        self.padding = (dp(12), 0)

    @staticmethod
    def line_height_px(look: Look, size: str) -> float:
        """The height a line of text at `size` takes in `look` (the font's line is ~1.45 of its
        size, times the look's line spacing): a field this tall never cuts its text."""
        return float(dp(float(getattr(look.scale, size)) * look.scale.line_height * 1.5))

    def outline(self, focused: bool) -> None:
        """Thick and in the focus colour when the keypad types here, else a thin border."""
        self._border.width = dp(4 if focused else 1.5)
        self._border_colour.rgba = self.look.theme.rgba("focus" if focused else "border")

    def _paint(self, *_: Any) -> None:
        self._background.pos, self._background.size = self.pos, self.size
        self._border.rectangle = (self.x, self.y, self.width, self.height)
