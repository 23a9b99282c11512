"""Themed labels that wrap to their width and grow to their text."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.metrics import dp
from kivy.uix.label import Label

from kiosk.ui.theme import Look
from kiosk.ui.widgets.text_cache import CachedText
from peripherals.line_breaks import CLOSING, broken, has_cjk

SIZES = ("caption", "body", "small", "title", "action", "keypad", "display")
NARROWER_AT_MOST = 3
"""Times a label narrows its wrapping width by a character to keep such a mark off a line start."""


LAID_OUT_KEPT = 512
"""Chinese texts broken into lines kept (screens are rebuilt with the same texts)."""
_laid_out: OrderedDict[tuple[str, float, str, float], str] = OrderedDict()
_measures: dict[tuple[str, float], CoreLabel] = {}


def chinese_lines(text: str, width: float, font_name: str, font_size: float) -> str:
    """`text` with its line breaks put in where Chinese typesetting breaks (`line_breaks`),
    measured at this font and size; remembered."""
    key = (text, width, font_name, font_size)
    found = _laid_out.get(key)
    if found is not None:
        _laid_out.move_to_end(key)
        return found
    probe = _measures.get((font_name, font_size))
    if probe is None:
        probe = _measures[(font_name, font_size)] = CoreLabel(
            font_name=font_name, font_size=font_size
        )
    extents = probe.get_cached_extents()  # Kivy's own, kept by text
    found = broken(text, width, lambda drawn: float(extents(drawn)[0]))
    _laid_out[key] = found
    if len(_laid_out) > LAID_OUT_KEPT:
        _laid_out.popitem(last=False)
    return found


def wrapped(label: Label, text: str) -> str:
    """A wrapping label's Chinese text with its line breaks put in as Chinese is typeset
    (Kivy would break only at spaces: "A-03" alone above "号格口的门已打开"); other text as
    Kivy wraps it."""
    width = label.text_size[0]
    if width is None or width <= 1 or not has_cjk(text):
        return text
    pad = list(label.padding) if isinstance(label.padding, list | tuple) else [label.padding]
    left, right = (pad[0], pad[2]) if len(pad) == 4 else (pad[0], pad[0])
    return chinese_lines(
        text, room(float(width - left - right)), str(label.font_name), float(label.font_size)
    )


def room(width: float) -> float:
    """The width Chinese lines are broken to in a text box this wide (a pixel kept: Kivy
    measures a line as a whole, the breaker run by run)."""
    return width - 1.0


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
        self._narrowed = 0
        if not fixed_height:
            self.size_hint_y = None
            self.bind(texture_size=self._fit, text=self._fit)
            self._fit()  # an empty label sends no texture event: not Kivy's default 100 px
        self.bind(width=self._wrap, text=self._wrap)
        self.bind(texture_size=self._punctuation)
        self._wrap()

    def _wrap(self, *_: Any) -> None:
        if self._narrowed:
            self._narrowed = 0
            self.padding: Any = (0, 0, 0, 0)
        self.text_size = (max(self.width, 1), None)

    def laid_out(self, text: str) -> str:
        """Chinese text broken into lines here, as Chinese is typeset (`wrapped`)."""
        return wrapped(self, text)

    def _fit(self, *_: Any) -> None:
        # an empty label (a message line with nothing to say yet) takes no room on the screen
        self.height = self.texture_size[1] if self.text else 0

    def _punctuation(self, *_: Any) -> None:
        """Kivy wraps Chinese at any character, so a line may start with "。" left alone:
        wrap a character narrower, which takes the character before it along."""
        lines = getattr(self._label, "_cached_lines", None) or []
        if self._narrowed >= NARROWER_AT_MOST or len(lines) < 2:
            return
        if not self._narrowed and any(self.padding):
            return  # a padded label (a field) keeps its own padding
        starts = (line.words[0].text[:1] for line in lines[1:] if line.words)
        if any(start in CLOSING for start in starts):
            # room kept on the right, inside the box: the text does not move sideways
            self._narrowed += 1
            self.padding = (0, 0, self._narrowed * self.font_size, 0)
