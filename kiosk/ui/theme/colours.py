"""Colours of the normal and high-contrast themes, as roles, and the pairs the widgets draw.

Nothing here imports kivy: the numbers are checked by tests (`tests/kiosk/ui/test_theme.py`
computes every pair's contrast) and turned into Kivy values by the widgets.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.ui.theme.contrast import contrast, hex_rgb

ROLES_TEXT_ON: tuple[tuple[str, str], ...] = (
    ("text", "background"),
    ("muted", "background"),
    ("text", "surface"),
    ("muted", "surface"),
    ("primary_text", "primary"),
    ("primary_text", "pressed"),
    ("secondary_text", "secondary"),
    ("danger_text", "danger"),
    ("bar_text", "bar"),
    ("staff_text", "staff"),
    ("header_text", "header"),
    ("text", "overlay"),
    ("icon", "surface"),
    ("icon", "background"),
    ("success", "background"),
    ("pending", "background"),
    ("refused", "background"),
)
"""Every (text colour, background colour) pair the widgets use: 4.5:1, 7:1 in high contrast."""

ROLES_DISABLED_ON: tuple[tuple[str, str], ...] = (
    ("disabled_text", "disabled"),
    ("disabled_text", "bar"),
)
"""A disabled control's text on its fill: readable as inactive (≥ 3:1), never invisible."""

ROLES_BORDER_ON: tuple[tuple[str, str], ...] = (
    ("border", "background"),
    ("border", "surface"),
    ("border", "bar"),
)
"""Every (control border, background) pair: control borders need 3:1 (WCAG 1.4.11)."""


@dataclass(frozen=True)
class Theme:
    """The colours of one theme, as `#rrggbb` strings."""

    name: str
    background: str
    surface: str
    text: str
    muted: str
    primary: str
    primary_text: str
    pressed: str
    """A primary control while a finger is on it."""
    secondary: str
    secondary_text: str
    danger: str
    danger_text: str
    bar: str
    bar_text: str
    staff: str
    staff_text: str
    header: str
    header_text: str
    border: str
    overlay: str
    focus: str
    icon: str
    """Icons on tiles and beside text."""
    disabled: str
    disabled_text: str
    success: str
    pending: str
    refused: str

    def rgba(self, role: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
        """The colour of `role` as Kivy's 0–1 RGBA tuple."""
        r, g, b = hex_rgb(getattr(self, role))
        return (r / 255, g / 255, b / 255, alpha)


NORMAL = Theme(
    name="normal",
    background="#f3f6f9",
    surface="#ffffff",
    text="#17212b",
    muted="#3f4c59",
    primary="#1b5e9e",
    primary_text="#ffffff",
    pressed="#123f6b",
    secondary="#e1e8ef",
    secondary_text="#17212b",
    danger="#a32a1f",
    danger_text="#ffffff",
    bar="#dde4eb",
    bar_text="#17212b",
    staff="#1f6b45",
    staff_text="#ffffff",
    header="#12467a",
    header_text="#ffffff",
    border="#5b6b7a",
    overlay="#ffffff",
    focus="#c25e00",
    icon="#1b5e9e",
    disabled="#eceff2",
    disabled_text="#6b7580",
    success="#1e6b3c",
    pending="#8a5300",
    refused="#a32a1f",
)
"""Calm government blue on off-white."""

HIGH_CONTRAST = Theme(
    name="high_contrast",
    background="#000000",
    surface="#000000",
    text="#ffffff",
    muted="#f0f0f0",
    primary="#ffe14d",
    primary_text="#000000",
    pressed="#ffffff",
    secondary="#000000",
    secondary_text="#ffffff",
    danger="#ffb3ad",
    danger_text="#000000",
    bar="#000000",
    bar_text="#ffffff",
    staff="#9cf5c4",
    staff_text="#000000",
    header="#000000",
    header_text="#ffe14d",
    border="#ffffff",
    overlay="#000000",
    focus="#ffe14d",
    icon="#ffe14d",
    disabled="#000000",
    disabled_text="#8c8c8c",
    success="#9cf5c4",
    pending="#ffe14d",
    refused="#ffb3ad",
)
"""White and yellow on black, aiming at 7:1 everywhere."""

THEMES: dict[str, Theme] = {t.name: t for t in (NORMAL, HIGH_CONTRAST)}


def contrast_report(theme: Theme) -> dict[tuple[str, str], float]:
    """The contrast of every text, disabled-text and border pair the widgets use in `theme`."""
    pairs = ROLES_TEXT_ON + ROLES_DISABLED_ON + ROLES_BORDER_ON
    return {(fg, bg): contrast(getattr(theme, fg), getattr(theme, bg)) for fg, bg in pairs}
