"""A slowly turning arc that says "working"; it never flashes (ACCESSIBILITY.md item 16)."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Line
from kivy.metrics import dp
from kivy.uix.widget import Widget

from kiosk.ui.theme import Look

TURNS_PER_SECOND = 0.5


class ProgressArc(Widget):  # type: ignore[misc]
    """A rotating quarter-circle; it stops its clock when taken off the screen."""

    def __init__(self, look: Look, **kwargs: Any) -> None:
        super().__init__(size_hint=(1, None), height=dp(96), **kwargs)
        self.angle = 0.0
        with self.canvas:
            Color(*look.theme.rgba("border", 0.35))
            self._track = Line(width=dp(6))
            Color(*look.theme.rgba("primary"))
            self._arc = Line(width=dp(6))
        self._event = Clock.schedule_interval(self._turn, 1 / 30)
        self.bind(pos=self._draw, size=self._draw)

    def stop_ticking(self) -> None:
        """Stop the clock callback (the shell calls this when the screen is replaced)."""
        self._event.cancel()

    def _turn(self, dt: float) -> None:
        self.angle = (self.angle + 360 * TURNS_PER_SECOND * dt) % 360
        self._draw()

    def _draw(self, *_: Any) -> None:
        r = min(self.width, self.height) * 0.4
        cx, cy = self.center
        self._track.circle = (cx, cy, r)
        self._arc.circle = (cx, cy, r, self.angle, self.angle + 90)
