"""The design system in one place: colours, the type scale and spacing, states, icons.

`look(elder, high_contrast)` is what the screen looks like now; widgets take a `Look` and
read sizes from `look.scale` and colours from `look.theme`. Icons come from the Material
Design Icons font (`kiosk.ui.theme.icons`).
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.ui.theme.colours import (
    HIGH_CONTRAST,
    NORMAL,
    ROLES_BORDER_ON,
    ROLES_DISABLED_ON,
    ROLES_TEXT_ON,
    THEMES,
    Theme,
    contrast_report,
)
from kiosk.ui.theme.contrast import contrast, hex_rgb, relative_luminance
from kiosk.ui.theme.scale import (
    ELDER,
    ELDER_FACTOR,
    ELDER_MIN_ACTION_HEIGHT,
    ELDER_MIN_BODY,
    MIN_TARGET_DP,
    SCALES,
    STANDARD,
    Scale,
)


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


def look(elder: bool = False, high_contrast: bool = False) -> Look:
    """The look for the given switches."""
    return Look(HIGH_CONTRAST if high_contrast else NORMAL, ELDER if elder else STANDARD)


__all__ = [
    "ELDER",
    "ELDER_FACTOR",
    "ELDER_MIN_ACTION_HEIGHT",
    "ELDER_MIN_BODY",
    "HIGH_CONTRAST",
    "MIN_TARGET_DP",
    "NORMAL",
    "ROLES_BORDER_ON",
    "ROLES_DISABLED_ON",
    "ROLES_TEXT_ON",
    "SCALES",
    "STANDARD",
    "THEMES",
    "Look",
    "Scale",
    "Theme",
    "contrast",
    "contrast_report",
    "hex_rgb",
    "look",
    "relative_luminance",
]
