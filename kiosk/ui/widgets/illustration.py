"""Simple pictograms drawn with canvas shapes (no bitmap art) for device steps."""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Ellipse, Line, Rectangle, RoundedRectangle
from kivy.metrics import dp
from kivy.uix.widget import Widget

from kiosk.ui.theme import Look

PICTURES: tuple[str, ...] = ("id_card", "smart_card", "scanner", "printer", "door", "generic")


class Illustration(Widget):  # type: ignore[misc]
    """A device pictogram (`PICTURES`), redrawn when resized; decorative next to its caption."""

    def __init__(self, look: Look, picture: str, **kwargs: Any) -> None:
        super().__init__(size_hint=(1, None), height=dp(180), **kwargs)
        self.look = look
        self.picture = picture if picture in PICTURES else "generic"
        self.bind(pos=self._draw, size=self._draw)

    def _draw(self, *_: Any) -> None:
        theme = self.look.theme
        s = min(self.width, self.height)
        cx, cy = self.center
        w = dp(1.5) * 2
        self.canvas.clear()
        with self.canvas:
            Color(*theme.rgba("primary"))
            if self.picture in ("id_card", "smart_card"):
                RoundedRectangle(
                    pos=(cx - s * 0.45, cy - s * 0.2), size=(s * 0.9, s * 0.55), radius=[dp(10)]
                )
                Color(*theme.rgba("primary_text"))
                if self.picture == "id_card":
                    Rectangle(pos=(cx - s * 0.38, cy - s * 0.1), size=(s * 0.25, s * 0.33))
                    for i in range(3):
                        Rectangle(
                            pos=(cx - s * 0.05, cy + s * (0.15 - i * 0.1)), size=(s * 0.4, s * 0.04)
                        )
                else:
                    RoundedRectangle(
                        pos=(cx - s * 0.35, cy), size=(s * 0.18, s * 0.14), radius=[dp(3)]
                    )
                Color(*theme.rgba("text"))
                Line(points=[cx, cy - s * 0.25, cx, cy - s * 0.45], width=w)
                Line(
                    points=[
                        cx - s * 0.07,
                        cy - s * 0.38,
                        cx,
                        cy - s * 0.45,
                        cx + s * 0.07,
                        cy - s * 0.38,
                    ],
                    width=w,
                )
            elif self.picture == "scanner":
                for dx, dy in ((-1, 1), (1, 1), (-1, -1)):
                    Rectangle(
                        pos=(cx + dx * s * 0.25 - s * 0.12, cy + dy * s * 0.25 - s * 0.12),
                        size=(s * 0.24, s * 0.24),
                    )
                Color(*theme.rgba("text"))
                Line(points=[cx - s * 0.45, cy, cx + s * 0.45, cy], width=w)
            elif self.picture == "printer":
                Rectangle(pos=(cx - s * 0.4, cy), size=(s * 0.8, s * 0.3))
                Color(*theme.rgba("text"))
                Line(rectangle=(cx - s * 0.25, cy - s * 0.45, s * 0.5, s * 0.5), width=w)
                for i in range(3):
                    Line(
                        points=[
                            cx - s * 0.18,
                            cy - s * (0.15 + i * 0.1),
                            cx + s * 0.18,
                            cy - s * (0.15 + i * 0.1),
                        ],
                        width=w / 2,
                    )
            elif self.picture == "door":
                Line(rectangle=(cx - s * 0.3, cy - s * 0.45, s * 0.6, s * 0.9), width=w)
                Ellipse(pos=(cx + s * 0.15, cy - s * 0.04), size=(s * 0.08, s * 0.08))
                Color(*theme.rgba("text"))
                Line(points=[cx - s * 0.6, cy, cx - s * 0.35, cy], width=w)
                Line(
                    points=[
                        cx - s * 0.42,
                        cy + s * 0.07,
                        cx - s * 0.35,
                        cy,
                        cx - s * 0.42,
                        cy - s * 0.07,
                    ],
                    width=w,
                )
            else:
                Ellipse(pos=(cx - s * 0.35, cy - s * 0.35), size=(s * 0.7, s * 0.7))
