"""The type scale, touch targets and spacing (in dp), standard and elder mode (适老模式).

Sizes are in dp; text sizes too, because a kiosk screen has a fixed viewing distance and the
accessibility rules are stated in dp. On the 1280×1024 and 1080×1920 panels the kiosk runs at
density 1, so a dp is a pixel there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    """Sizes in dp: the type scale, touch targets and spacing; elder mode is a bigger scale."""

    name: str
    caption: float
    """Header facts (terminal, date and time, step), the bar's labels."""
    small: float
    body: float
    action: float
    """Prompt text and the labels of main actions."""
    title: float
    display: float
    """The largest type: a result's reference number, the attract screen's name."""
    keypad: float
    icon: float
    """Icons beside labels."""
    sign: float
    """The result's success / pending / refused sign."""
    line_height: float
    target: float
    action_height: float
    header_height: float
    padding: float
    spacing: float
    content_width: float
    """The widest a screen's content column grows (centred on wide panels)."""


STANDARD = Scale(
    name="standard",
    caption=18,
    small=18,
    body=22,
    action=26,
    title=32,
    display=48,
    keypad=30,
    icon=30,
    sign=120,
    line_height=1.3,
    target=56,
    action_height=72,
    header_height=64,
    padding=24,
    spacing=12,
    content_width=1000,
)
"""Everyday sizes: touch targets ≥ 44 dp."""

ELDER = Scale(
    name="elder",
    caption=26,
    small=28,
    body=32,
    action=38,
    title=46,
    display=68,
    keypad=44,
    icon=44,
    sign=150,
    line_height=1.4,
    target=90,
    action_height=104,
    header_height=72,
    padding=24,
    spacing=16,
    content_width=1180,
)
"""Elder mode (适老模式): body ≥ 32 dp, actions and keys ≥ 90 dp, every text size at least 1.4
times the standard one, so the switch is plain to see."""

ELDER_FACTOR = 1.4
"""How much larger than standard every elder-mode text size is, at least."""

SCALES: dict[str, Scale] = {s.name: s for s in (STANDARD, ELDER)}

MIN_TARGET_DP = {"standard": 44.0, "elder": 60.0}
"""The smallest touch target each scale must keep (ACCESSIBILITY.md item 12)."""

ELDER_MIN_BODY = 32.0
"""Elder mode's smallest body text at 1280×1024 (issue 15)."""
ELDER_MIN_ACTION_HEIGHT = 90.0
"""Elder mode's lowest action button at 1280×1024 (issue 15)."""
