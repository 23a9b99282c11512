"""Themes as data (colours) and the elder-mode scale (sizes), with WCAG contrast checks.

Nothing here imports kivy: the numbers are checked by tests and turned into Kivy values by the
widgets. Sizes are in dp (density-independent pixels); text sizes too, because a kiosk screen has
a fixed viewing distance and the accessibility rules are stated in dp.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES_TEXT_ON: tuple[tuple[str, str], ...] = (
    ("text", "background"),
    ("muted", "background"),
    ("text", "surface"),
    ("muted", "surface"),
    ("primary_text", "primary"),
    ("secondary_text", "secondary"),
    ("danger_text", "danger"),
    ("bar_text", "bar"),
    ("staff_text", "staff"),
    ("text", "overlay"),
)
"""Every (text colour, background colour) pair the widgets use."""

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
    secondary: str
    secondary_text: str
    danger: str
    danger_text: str
    bar: str
    bar_text: str
    staff: str
    staff_text: str
    border: str
    overlay: str
    focus: str

    def rgba(self, role: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
        """The colour of `role` as Kivy's 0–1 RGBA tuple."""
        r, g, b = hex_rgb(getattr(self, role))
        return (r / 255, g / 255, b / 255, alpha)


@dataclass(frozen=True)
class Scale:
    """Sizes in dp: text, touch targets and spacing; elder mode is a bigger scale."""

    name: str
    body: float
    small: float
    title: float
    action: float
    keypad: float
    line_height: float
    target: float
    action_height: float
    padding: float
    spacing: float


@dataclass(frozen=True)
class Look:
    """What the screen looks like now: a theme and a scale."""

    theme: Theme
    scale: Scale

    @property
    def elder(self) -> bool:
        """Whether elder mode (适老模式) is on."""
        return self.scale.name == "elder"

    @property
    def high_contrast(self) -> bool:
        """Whether the high-contrast theme is on."""
        return self.theme.name == "high_contrast"


NORMAL = Theme(
    name="normal",
    background="#f3f6f9",
    surface="#ffffff",
    text="#17212b",
    muted="#3f4c59",
    primary="#1b5e9e",
    primary_text="#ffffff",
    secondary="#e1e8ef",
    secondary_text="#17212b",
    danger="#a32a1f",
    danger_text="#ffffff",
    bar="#dde4eb",
    bar_text="#17212b",
    staff="#1f6b45",
    staff_text="#ffffff",
    border="#5b6b7a",
    overlay="#ffffff",
    focus="#c25e00",
)
"""Calm blue-grey on off-white."""

HIGH_CONTRAST = Theme(
    name="high_contrast",
    background="#000000",
    surface="#000000",
    text="#ffffff",
    muted="#f0f0f0",
    primary="#ffe14d",
    primary_text="#000000",
    secondary="#000000",
    secondary_text="#ffffff",
    danger="#ffb3ad",
    danger_text="#000000",
    bar="#000000",
    bar_text="#ffffff",
    staff="#9cf5c4",
    staff_text="#000000",
    border="#ffffff",
    overlay="#000000",
    focus="#ffe14d",
)
"""White and yellow on black, aiming at 7:1 everywhere."""

THEMES: dict[str, Theme] = {t.name: t for t in (NORMAL, HIGH_CONTRAST)}

STANDARD = Scale(
    name="standard",
    body=20,
    small=18,
    title=28,
    action=24,
    keypad=28,
    line_height=1.3,
    target=48,
    action_height=64,
    padding=16,
    spacing=10,
)
"""Everyday sizes: touch targets ≥ 44 dp."""

ELDER = Scale(
    name="elder",
    body=30,
    small=26,
    title=44,
    action=38,
    keypad=44,
    line_height=1.45,
    target=80,
    action_height=100,
    padding=20,
    spacing=14,
)
"""Elder mode (适老模式): body ≥ 18 dp, main actions ≥ 30 dp, targets ≥ 60 dp, and every text
size at least 1.4 times the standard one, so the switch is plain to see."""

ELDER_FACTOR = 1.4
"""How much larger than standard every elder-mode text size is, at least."""

SCALES: dict[str, Scale] = {s.name: s for s in (STANDARD, ELDER)}

MIN_TARGET_DP = {"standard": 44.0, "elder": 60.0}
"""The smallest touch target each scale must keep (ACCESSIBILITY.md item 12)."""


def look(elder: bool = False, high_contrast: bool = False) -> Look:
    """The look for the given switches."""
    return Look(HIGH_CONTRAST if high_contrast else NORMAL, ELDER if elder else STANDARD)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """`#rrggbb` as three 0–255 integers."""
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in hex_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio between two colours, from 1.0 to 21.0."""
    a, b = relative_luminance(fg), relative_luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def contrast_report(theme: Theme) -> dict[tuple[str, str], float]:
    """The contrast of every text and border pair the widgets use in `theme`."""
    pairs = ROLES_TEXT_ON + ROLES_BORDER_ON
    return {(fg, bg): contrast(getattr(theme, fg), getattr(theme, bg)) for fg, bg in pairs}
