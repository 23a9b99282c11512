"""Numbered options as buttons in rows, their labels at full size: a row grows to its label."""

from __future__ import annotations

from collections.abc import Sequence

from kivy.core.text import Label as CoreLabel
from kivy.metrics import dp

from kiosk.ui.widgets.button import KioskButton, content_height

NUMBER_GAP = "\u00a0\u00a0\u00a0"
"""Between an option's number and its label: no-break spaces, one run of text with it."""
ROW_PADDING = 16.0
"""dp above and below a label inside its button."""


def option_text(key: int, label: str, font_size: float, width: float) -> str:
    """ "1   label" with its number in bold; a label without spaces (Chinese) too long for one
    line is one run of text with its number instead, so it wraps beside the number rather than
    leave the number alone on the first line (Kivy breaks between bold and plain runs)."""
    text = f"[b]{key}[/b]   {label}"
    if " " in label.strip():
        return text
    probe = CoreLabel(font_size=font_size)
    if probe.get_extents(f"{key}   {label}")[0] <= width:
        return text
    return f"{key}{NUMBER_GAP}{label}"


def size_rows(
    buttons: Sequence[KioskButton], cols: int, text_width: float, height: float, gap: float
) -> float:
    """Make each row of `buttons` (`cols` to a row) as tall as its longest label wrapped at
    `text_width` at the size it asked for (at least `height`); the rows' height with gaps."""
    rows = [buttons[i : i + cols] for i in range(0, len(buttons), cols)]
    for row in rows:
        tallest = max(content_height(b, text_width, b.asked_font) + dp(ROW_PADDING) for b in row)
        for button in row:
            button.height = max(height, tallest)
    return float(sum(row[0].height for row in rows) + max(len(rows) - 1, 0) * gap)
