"""A large, themed, single-tap button with a visible border, and a focus ring for the keypad."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.core.text.markup import MarkupLabel
from kivy.graphics import Color, InstructionGroup, Line, Rectangle, RoundedRectangle, Triangle
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label

from kiosk.ui.theme import Look
from kiosk.ui.theme.icons import icon_texture
from kiosk.ui.widgets.label import chinese_lines, room, wrapped
from kiosk.ui.widgets.text_cache import CachedText
from peripherals.line_breaks import has_cjk

ROLES = {
    "primary": ("primary", "primary_text"),
    "secondary": ("secondary", "secondary_text"),
    "danger": ("danger", "danger_text"),
    "bar": ("bar", "bar_text"),
    "staff": ("staff", "staff_text"),
}
"""Button role → (fill colour, text colour) theme roles."""

RING_GAP = 3.0
"""dp between the button's edge and the inner ring of the focus outline."""
RING_WIDTH = 4.0
"""dp width of the outer, focus-coloured ring."""
MARKER = 14.0
"""dp width of the ▶ marker drawn inside a focused button's left edge."""


_TAGS = re.compile(r"\[/?[a-z_]+(=[^\]]*)?\]")
"""Kivy markup tags, left out when measuring words."""

MIN_FIT_DP = 18
"""A fitted label never shrinks below the body-text minimum (ACCESSIBILITY 14)."""
CJK_START = "\u2e80"
"""The first CJK character: a run of them may wrap between any two (no spaces in Chinese)."""


def overflows(label: Label, font_size: float | None = None, measured_at: float = 0.0) -> bool:
    """Whether a label's text, wrapped at spaces, would not fit in its `text_size` box.

    Kivy clips what does not fit, so the texture never shows it: measure the whole layout.
    With `measured_at`, the text is measured at that size in a box scaled to match (text scales
    with its size, give or take a pixel of hinting): Kivy opens a font face for every size it
    measures or draws at and keeps up to 64, each ~0.7-2.5 MB for the CJK font.
    """
    width, height = label.text_size
    left, top, right, bottom = _padding(label)
    size = float(font_size or label.font_size)
    scale = measured_at / size if measured_at else 1.0
    return _overflows(
        label.text,
        bool(label.markup),
        measured_at or size,
        str(label.font_name),
        float(label.line_height),
        float(width - left - right) * scale,  # padding is inside text_size
        float(height - top - bottom) * scale,
        bool(getattr(label, "wraps_cjk", False)),
    )


def _cjk(word: str) -> bool:
    return any(char >= CJK_START for char in word)


@functools.lru_cache(maxsize=4096)  # screens are rebuilt with the same captions: measure once
def _overflows(
    text: str,
    markup: bool,
    size: float,
    font: str,
    line_height: float,
    width: float,
    height: float,
    wraps_cjk: bool = False,
) -> bool:
    drawn = text
    if wraps_cjk and has_cjk(text):
        drawn = chinese_lines(text, room(width), font, size)  # broken as it is drawn
    probe = (MarkupLabel if markup else CoreLabel)(
        text=drawn,
        font_size=size,
        font_name=font,
        line_height=line_height,
        text_size=(width, None),
        halign="center",
    )
    probe.refresh()
    if probe.content_height > height:
        return True
    plain = _TAGS.sub("", text) if markup else text
    # Kivy wraps at spaces, and splits a word wider than the line anywhere: a split English
    # word is cut, a Chinese run (no spaces) wraps as Chinese does where `wraps_cjk` allows
    words = [w for w in plain.split() if not (wraps_cjk and _cjk(w))]
    measure = CoreLabel(font_size=size, font_name=font)
    return any(measure.get_extents(word)[0] > width for word in words)


def _padding(label: Label) -> tuple[float, float, float, float]:
    pad = list(label.padding)
    if len(pad) == 1:
        pad = pad * 4
    elif len(pad) == 2:
        pad = [pad[0], pad[1], pad[0], pad[1]]
    return float(pad[0]), float(pad[1]), float(pad[2]), float(pad[3])


def content_height(label: Label, width: float, font_size: float | None = None) -> float:
    """The height of a label's text wrapped at `width` (at `font_size`, else its own)."""
    text = label.text
    size = float(font_size or label.font_size)
    if getattr(label, "wraps_cjk", False) and has_cjk(text):
        text = chinese_lines(text, room(width), str(label.font_name), size)  # as it is drawn
    probe = (MarkupLabel if label.markup else CoreLabel)(
        text=text,
        font_size=size,
        font_name=label.font_name,
        line_height=label.line_height,
        text_size=(max(width, 1), None),
        halign="center",
    )
    probe.refresh()
    return float(probe.content_height)


class KioskButton(ButtonBehavior, CachedText, Label):  # type: ignore[misc]
    """A button sized for fingers: at least the scale's touch target, text wrapped inside.

    `kiosk_id` names the control for tests and for the keypad focus order. `focused` draws the
    keypad focus: a double outline around the button (text colour inside, focus colour outside,
    so it stands out on light, dark and yellow alike) and a ▶ marker inside its left edge, so
    focus is shown by shape and not by colour alone.
    """

    kiosk_id = StringProperty("")
    focused = BooleanProperty(False)

    def __init__(
        self,
        look: Look,
        text: str,
        on_tap: Callable[[], Any] | None = None,
        *,
        role: str = "secondary",
        kiosk_id: str = "",
        font_size: float | None = None,
        fit: bool = False,
        fit_floor: float = MIN_FIT_DP,
        wraps_cjk: bool = False,
        icon: str = "",
        icon_size: float | None = None,
        icon_above: bool = False,
        **kwargs: Any,
    ) -> None:
        fill, ink = ROLES[role]
        theme, scale = look.theme, look.scale
        asked_font = float(dp(font_size or scale.action))
        super().__init__(
            text=text,
            markup=True,
            color=theme.rgba(ink),
            font_size=asked_font,
            halign="center",
            valign="middle",
            line_height=1.15,
            size_hint_min=(dp(scale.target), dp(scale.target)),
            kiosk_id=kiosk_id,
            **kwargs,
        )
        self.look = look
        self.asked_font = asked_font  # px; a fitted button may set its text smaller
        self._on_tap = on_tap
        # `fit`: shrink the text (never below the body-text minimum) until it fits the button,
        # for narrow buttons whose label would otherwise wrap out of sight.
        self._fit_font: float | None = asked_font if fit else None
        self._fit_floor = float(dp(min(fit_floor, font_size or scale.action)))
        # `wraps_cjk`: Chinese may wrap between any two characters (an option's label) rather
        # than be set smaller to keep a run of it on one line (a bar key's caption)
        self.wraps_cjk = wraps_cjk
        self._fitted_for: tuple[float, float, str] | None = None
        self.bind(size=self._resize, pos=self._resize, state=self._restyle)
        with self.canvas.before:
            self._fill_colour = Color(*theme.rgba(fill))
            self._fill = RoundedRectangle(radius=[dp(10)])
            self._border_colour = Color(*theme.rgba("border"))
            self._border = Line(width=dp(1.5))
        self._fill_rgba = theme.rgba(fill)
        self._ink_rgba = theme.rgba(ink)
        self._role = role
        # the icon: one character of the icon font, drawn beside or above the label's text
        # (the text stays plain, so what the button says is what tests and voice read)
        self._icon: tuple[Color, Rectangle, Any] | None = None
        self._icon_above = icon_above
        self._measured: tuple[tuple[float, float, str], float] | None = None
        texture = icon_texture(icon, dp(icon_size or scale.icon)) if icon else None
        if texture is not None:
            with self.canvas.after:
                colour = Color(*theme.rgba(ink))
                rect = Rectangle(texture=texture, size=texture.size)
            self._icon = (colour, rect, texture)
        # made on first focus: most buttons never get it, and screens are rebuilt often
        self._ring: tuple[InstructionGroup, Line, Line, Triangle] | None = None
        self._resize()
        self._restyle()

    def _resize(self, *_: Any) -> None:
        # a focused button keeps its text clear of the marker (both sides: text stays centred)
        pad = dp(8 + (MARKER + 8 if self.focused else 0))
        self.text_size = (max(self.width - 2 * pad, 1), max(self.height - dp(8), 1))
        if self._icon is not None:
            self._make_room_for_icon()
        if self._fit_font is not None:
            self._fit_text()
        if self._icon is not None:
            self._place_icon()
        self._fill.pos = self.pos
        self._fill.size = self.size
        self._border.rounded_rectangle = (self.x, self.y, self.width, self.height, dp(10))
        if self._ring is not None:
            self._place_ring()

    def _make_room_for_icon(self) -> None:
        """Padding inside the text box (Kivy counts it in `text_size`) where the icon goes."""
        assert self._icon is not None
        iw, ih = self._icon[2].size
        gap = dp(6)
        self.padding = (0, ih + gap, 0, 0) if self._icon_above else (iw + gap, 0, 0, 0)

    def _place_icon(self) -> None:
        """The icon right above the text (or left of it), the pair centred in the button."""
        assert self._icon is not None
        _colour, rect, texture = self._icon
        iw, ih = texture.size
        gap = dp(6)
        width, height = self.text_size
        bottom = self.center_y - height / 2
        if self._icon_above:
            region = height - ih - gap
            key = (width, float(self.font_size), self.text)
            if self._measured is None or self._measured[0] != key:
                self._measured = (key, content_height(self, width))  # layouts repeat: measure once
            text_h = min(self._measured[1], region)
            rect.pos = (self.center_x - iw / 2, bottom + (region + text_h) / 2 + gap)
        else:
            text_w = min(
                float(CoreLabel(font_size=self.font_size).get_extents(self.text)[0]),
                width - iw - gap,
            )
            rect.pos = (self.center_x - (text_w + iw + gap) / 2, self.center_y - ih / 2)

    def laid_out(self, text: str) -> str:
        """An option's Chinese label broken into lines as Chinese is typeset (`wraps_cjk`)."""
        return wrapped(self, text) if self.wraps_cjk else text

    def _fit_text(self) -> None:
        """The largest font size (from the asked one down to the floor, 18 dp unless the
        button asked for more) at which the text fits."""
        width, height = self.text_size
        key = (width, height, self.text)
        if key == self._fitted_for or width <= 1:
            return
        self._fitted_for = key
        assert self._fit_font is not None
        size = self._fit_font
        floor = self._fit_floor
        # sizes tried are measured at the asked size (no font face opened for each), and the
        # one chosen is then checked as it will be drawn
        while size > floor and overflows(self, size, measured_at=self._fit_font):
            size -= dp(1)
        while size > floor and overflows(self, size):
            size -= dp(1)
        self.font_size = max(size, floor)

    def on_focused(self, _instance: Any, focused: bool) -> None:
        """Draw or remove the keypad focus ring."""
        if focused and self._ring is None:
            group = InstructionGroup()
            theme = self.look.theme
            group.add(Color(*theme.rgba("text")))
            inner = Line(width=dp(1.5))
            group.add(inner)
            group.add(Color(*theme.rgba("focus")))
            outer = Line(width=dp(RING_WIDTH))
            group.add(outer)
            group.add(Color(*self._ink_rgba))
            marker = Triangle()
            group.add(marker)
            self._ring = (group, inner, outer, marker)
        if self._ring is not None:
            group = self._ring[0]
            if focused and group not in self.canvas.after.children:
                self.canvas.after.add(group)
            elif not focused and group in self.canvas.after.children:
                self.canvas.after.remove(group)
        self._resize()

    def _place_ring(self) -> None:
        assert self._ring is not None
        _group, inner, outer, marker = self._ring
        gap, width = dp(RING_GAP), dp(RING_WIDTH)
        x, y, w, h = self.x, self.y, self.width, self.height
        inner.rounded_rectangle = (x - gap, y - gap, w + 2 * gap, h + 2 * gap, dp(12))
        out = gap + width / 2 + dp(1.5)
        outer.rounded_rectangle = (x - out, y - out, w + 2 * out, h + 2 * out, dp(14))
        size = min(dp(MARKER), h / 3)
        left, middle = x + dp(10), y + h / 2
        marker.points = [left, middle - size, left, middle + size, left + size, middle]

    def _restyle(self, *_: Any) -> None:
        # pressed: the focus colour as a thicker border (shape, not only hue), a darker fill;
        # disabled: a flat grey fill, grey text (still ≥ 3:1) and a thin grey border
        theme = self.look.theme
        down = self.state == "down" and not self.disabled
        if self._icon is not None:
            self._icon[0].rgba = theme.rgba("disabled_text") if self.disabled else self._ink_rgba
        if self.disabled:
            self._fill_colour.rgba = theme.rgba("disabled")
            self.color = self.disabled_color = theme.rgba("disabled_text")
            self._border_colour.rgba = theme.rgba("disabled_text")
            self._border.width = dp(1)
            return
        self._fill_colour.rgba = (
            theme.rgba("pressed") if down and self._role == "primary" else self._fill_rgba
        )
        self.color = self._ink_rgba
        self._border.width = dp(4 if down else 1.5)
        self._border_colour.rgba = theme.rgba("focus" if down else "border")

    def on_release(self) -> None:
        """Run the tap callback."""
        if self._on_tap is not None and not self.disabled:
            self._on_tap()

    def on_disabled(self, _instance: Any, disabled: bool) -> None:
        """Draw a disabled control as inactive, never invisible (kept in place: no jumps)."""
        if hasattr(self, "_role"):
            self._restyle()
