"""Finding what a resident would not see whole: clipped labels and too-small touch targets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label

from kiosk.ui.widgets.button import _TAGS, overflows

SLACK = 1.0
"""px of rounding forgiven."""


def _plain(text: str) -> str:
    return _TAGS.sub("", text).strip()


def _shown(widget: Any) -> bool:
    seen: set[int] = set()
    while widget is not None and id(widget) not in seen:  # the window is its own parent
        if getattr(widget, "opacity", 1) == 0:
            return False
        seen.add(id(widget))
        widget = widget.parent
    return True


def _outside_an_ancestor(widget: Any, root: Any) -> bool:
    """Whether the widget sticks out above or below a layout holding it (a column too full
    for its content draws over the header or the bar)."""
    _x, bottom = widget.to_window(widget.x, widget.y)
    top = bottom + widget.height
    parent = widget.parent
    while parent is not None and parent is not root and parent.parent is not parent:
        _px, pb = parent.to_window(parent.x, parent.y)
        if bottom < pb - SLACK or top > pb + parent.height + SLACK:
            return True
        parent = parent.parent
    return False


def clipped_labels(root: Any, window_height: float) -> Iterator[str]:
    """The text of every label on screen under `root` that is cut off: wrapped out of its box,
    shortened with "…", or placed above or below the window."""
    for widget in root.walk(restrict=True):
        if not isinstance(widget, Label) or not _plain(widget.text) or not _shown(widget):
            continue
        text = _plain(widget.text)
        _x, y = widget.to_window(widget.x, widget.y)
        if y < -SLACK or y + widget.height > window_height + SLACK:
            yield f"off screen: {text}"
            continue
        if _outside_an_ancestor(widget, root):
            yield f"pushed out of its area: {text}"
            continue
        width, height = widget.text_size
        if widget.shorten:
            probe = CoreLabel(font_size=widget.font_size, font_name=widget.font_name)
            if probe.get_extents(text)[0] > widget.width + SLACK:
                yield f"shortened: {text}"
        elif width is not None and height is not None:
            if overflows(widget):
                yield f"overflows: {text}"
        elif widget.texture_size[1] > widget.height + SLACK:
            yield f"cut: {text}"


def outside_window(root: Any, width: float, height: float) -> Iterator[str]:
    """Every widget on screen under `root` that sticks out of a `width` × `height` window (a
    control or picture the resident could not see or reach whole)."""
    for widget in root.walk(restrict=True):
        if widget is root or widget.width <= 0 or widget.height <= 0 or not _shown(widget):
            continue
        x, y = widget.to_window(widget.x, widget.y)
        if (
            x < -SLACK
            or y < -SLACK
            or x + widget.width > width + SLACK
            or y + widget.height > height + SLACK
        ):
            name = getattr(widget, "kiosk_id", "") or _plain(getattr(widget, "text", ""))
            yield f"outside the window: {name or type(widget).__name__}"


def shrunk_text(root: Any, minimum: float) -> Iterator[str]:
    """Fitted controls on screen under `root` whose text was asked at `minimum` px or more and
    set smaller than that to fit (in elder mode: an option below the elder body size)."""
    for widget in root.walk(restrict=True):
        asked = getattr(widget, "_fit_font", None)
        if asked is None or asked < minimum - SLACK or not _shown(widget):
            continue
        if widget.font_size < minimum - SLACK:
            name = getattr(widget, "kiosk_id", "") or _plain(widget.text)
            yield f"{name}: {widget.font_size:.0f} px"


def small_targets(root: Any, minimum: float) -> Iterator[str]:
    """Enabled touch controls on screen under `root` lower or narrower than `minimum` px."""
    for widget in root.walk(restrict=True):
        if not isinstance(widget, ButtonBehavior) or widget.disabled or not _shown(widget):
            continue
        if min(widget.width, widget.height) < minimum - SLACK:
            name = getattr(widget, "kiosk_id", "") or _plain(getattr(widget, "text", ""))
            yield f"{name}: {widget.width:.0f}×{widget.height:.0f}"
