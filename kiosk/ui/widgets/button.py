"""A large, themed, single-tap button with a visible border."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.graphics import Color, Line, RoundedRectangle
from kivy.metrics import dp
from kivy.properties import StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label

from kiosk.ui.theme import Look

ROLES = {
    "primary": ("primary", "primary_text"),
    "secondary": ("secondary", "secondary_text"),
    "danger": ("danger", "danger_text"),
    "bar": ("bar", "bar_text"),
    "staff": ("staff", "staff_text"),
}
"""Button role → (fill colour, text colour) theme roles."""


class KioskButton(ButtonBehavior, Label):  # type: ignore[misc]
    """A button sized for fingers: at least the scale's touch target, text wrapped inside.

    `kiosk_id` names the control for tests and for the keypad focus order.
    """

    kiosk_id = StringProperty("")

    def __init__(
        self,
        look: Look,
        text: str,
        on_tap: Callable[[], Any] | None = None,
        *,
        role: str = "secondary",
        kiosk_id: str = "",
        font_size: float | None = None,
        **kwargs: Any,
    ) -> None:
        fill, ink = ROLES[role]
        theme, scale = look.theme, look.scale
        super().__init__(
            text=text,
            markup=True,
            color=theme.rgba(ink),
            font_size=dp(font_size or scale.action),
            halign="center",
            valign="middle",
            line_height=1.15,
            size_hint_min=(dp(scale.target), dp(scale.target)),
            kiosk_id=kiosk_id,
            **kwargs,
        )
        self.look = look
        self._on_tap = on_tap
        self.bind(size=self._resize, pos=self._resize, state=self._restyle)
        with self.canvas.before:
            self._fill_colour = Color(*theme.rgba(fill))
            self._fill = RoundedRectangle(radius=[dp(10)])
            self._border_colour = Color(*theme.rgba("border"))
            self._border = Line(width=dp(1.5))
        self._fill_rgba = theme.rgba(fill)
        self._resize()

    def _resize(self, *_: Any) -> None:
        pad = dp(8)
        self.text_size = (max(self.width - 2 * pad, 1), max(self.height - pad, 1))
        self._fill.pos = self.pos
        self._fill.size = self.size
        self._border.rounded_rectangle = (self.x, self.y, self.width, self.height, dp(10))

    def _restyle(self, *_: Any) -> None:
        # a pressed button shows the focus colour as a thicker border: shape, not only hue
        down = self.state == "down"
        self._border.width = dp(4 if down else 1.5)
        self._border_colour.rgba = self.look.theme.rgba("focus" if down else "border")

    def on_release(self) -> None:
        """Run the tap callback."""
        if self._on_tap is not None and not self.disabled:
            self._on_tap()

    def on_disabled(self, _instance: Any, disabled: bool) -> None:
        """Dim a disabled control (kept in place so the layout never jumps)."""
        self.opacity = 0.4 if disabled else 1.0
