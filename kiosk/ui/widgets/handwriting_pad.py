"""A square the resident writes one Chinese character in with a finger."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.graphics import Color, Line, Rectangle
from kivy.metrics import dp
from kivy.uix.widget import Widget

from kiosk.ui.theme import Look


class HandwritingPad(Widget):  # type: ignore[misc]
    """Collects strokes (y downwards, in the pad's own box) and calls `on_strokes` after each
    stroke, so candidates follow the writing; `clear` starts a new character."""

    def __init__(
        self, look: Look, on_strokes: Callable[[list[list[tuple[float, float]]]], None], **kw: Any
    ) -> None:
        super().__init__(**kw)
        self.look = look
        self.strokes: list[list[tuple[float, float]]] = []
        self._on_strokes = on_strokes
        self._lines: list[Line] = []
        theme = look.theme
        with self.canvas.before:
            Color(*theme.rgba("surface"))
            self._bg = Rectangle()
            Color(*theme.rgba("border"))
            self._frame = Line(width=dp(1.5))
            Color(*theme.rgba("border", 0.35))
            self._cross_h = Line(width=dp(1), dash_length=dp(6), dash_offset=dp(6))
            self._cross_v = Line(width=dp(1), dash_length=dp(6), dash_offset=dp(6))
        with self.canvas:
            self._ink = Color(*theme.rgba("text"))
        self.bind(pos=self._paint, size=self._paint)

    def _paint(self, *_: Any) -> None:
        x, y, w, h = self.x, self.y, self.width, self.height
        self._bg.pos, self._bg.size = self.pos, self.size
        self._frame.rectangle = (x, y, w, h)
        self._cross_h.points = [x, y + h / 2, x + w, y + h / 2]
        self._cross_v.points = [x + w / 2, y, x + w / 2, y + h]

    def _local(self, touch: Any) -> tuple[float, float]:
        return (touch.x - self.x, self.top - touch.y)

    def on_touch_down(self, touch: Any) -> bool:
        """Start a stroke where the finger lands inside the pad."""
        if not self.collide_point(*touch.pos):
            return False
        touch.grab(self)
        self.strokes.append([self._local(touch)])
        with self.canvas:
            line = Line(points=[touch.x, touch.y], width=dp(4), cap="round", joint="round")
        self._lines.append(line)
        return True

    def on_touch_move(self, touch: Any) -> bool:
        """Extend the stroke the finger is drawing."""
        if touch.grab_current is not self:
            return False
        self.strokes[-1].append(self._local(touch))
        self._lines[-1].points += [touch.x, touch.y]
        return True

    def on_touch_up(self, touch: Any) -> bool:
        """End the stroke and ask for candidates."""
        if touch.grab_current is not self:
            return False
        touch.ungrab(self)
        self._on_strokes(self.strokes)
        return True

    def clear(self) -> None:
        """Wipe the strokes: the next character."""
        self.strokes = []
        for line in self._lines:
            self.canvas.remove(line)
        self._lines = []
