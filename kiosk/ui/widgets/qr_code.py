"""A QR code drawn from its module matrix (segno), black on white with a quiet zone."""

from __future__ import annotations

from typing import Any

import segno
from kivy.graphics import Color, Rectangle
from kivy.metrics import dp
from kivy.uix.widget import Widget

QUIET = 4
"""Modules of white border a phone camera needs around the code."""


def qr_pixels(data: str) -> tuple[int, bytes]:
    """The code's side in modules (with the quiet zone) and its rows as L8 pixels, top first."""
    code = segno.make(data, error="m", micro=False)
    rows = [[0] * QUIET + [1 if bit else 0 for bit in row] + [0] * QUIET for row in code.matrix]
    width = len(rows[0])
    blank = [[0] * width for _ in range(QUIET)]
    rows = blank + rows + blank
    return width, bytes(0 if dark else 255 for row in rows for dark in row)


class QrCode(Widget):  # type: ignore[misc]
    """A scannable QR code, kept square and sharp (nearest-pixel scaling) at any size."""

    def __init__(self, data: str, side: float | None = None, **kwargs: Any) -> None:
        # dp() reads the screen's density: never at import, before the window is configured
        super().__init__(size_hint=(1, None), height=side or dp(320), **kwargs)
        from kivy.graphics.texture import Texture

        width, pixels = qr_pixels(data)
        self.texture = Texture.create(size=(width, width), colorfmt="luminance")
        # Kivy's textures start at the bottom row: flip so the finder patterns sit right
        self.texture.blit_buffer(pixels, colorfmt="luminance", bufferfmt="ubyte")
        self.texture.flip_vertical()
        self.texture.mag_filter = "nearest"
        self.texture.min_filter = "nearest"
        self.modules = width
        self.bind(pos=self._draw, size=self._draw)

    def _draw(self, *_: Any) -> None:
        side = min(self.width, self.height)
        self.canvas.clear()
        with self.canvas:
            Color(1, 1, 1, 1)
            Rectangle(
                texture=self.texture,
                pos=(self.center_x - side / 2, self.center_y - side / 2),
                size=(side, side),
            )
