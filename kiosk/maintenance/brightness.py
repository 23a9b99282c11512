"""Screen brightness through Linux's backlight class: `/sys/class/backlight/<panel>/` holds
`max_brightness` and a writable `brightness`. Where there is no such folder (a monitor on HDMI,
another system, a container) brightness is "not supported here"."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SYSFS = Path("/sys/class/backlight")
MINIMUM = 10
"""The dimmest a maintainer may set (percent): a black screen could not be set back by touch."""
PREFERRED = ("firmware", "platform", "raw")
"""Backlight types best first, as the kernel documents them (`type` in each folder)."""


@dataclass(frozen=True)
class Backlight:
    """One backlight device folder and its greatest raw value."""

    folder: Path
    maximum: int

    def percent(self) -> int:
        """The brightness now, in percent of the maximum."""
        raw = int((self.folder / "brightness").read_text().strip())
        return round(100 * raw / self.maximum)

    def set_percent(self, percent: int) -> int:
        """Set the brightness (`MINIMUM` to 100 percent); the percentage read back."""
        if not MINIMUM <= percent <= 100:
            raise ValueError(f"brightness must be {MINIMUM} to 100 percent, not {percent}")
        raw = max(1, round(self.maximum * percent / 100))
        (self.folder / "brightness").write_text(f"{raw}\n")
        log.info("screen brightness set to %d%% (%d of %d)", percent, raw, self.maximum)
        return self.percent()


def _rank(folder: Path) -> int:
    try:
        kind = (folder / "type").read_text().strip()
    except OSError:
        kind = "raw"
    return PREFERRED.index(kind) if kind in PREFERRED else len(PREFERRED)


def find_backlight(root: Path = SYSFS) -> Backlight | None:
    """The panel's backlight under `root`, best type first; None when brightness cannot be set
    here (no folder, or none whose `brightness` this process may write)."""
    try:
        folders = sorted(root.iterdir(), key=lambda f: (_rank(f), f.name))
    except OSError:
        return None
    for folder in folders:
        try:
            maximum = int((folder / "max_brightness").read_text().strip())
        except (OSError, ValueError):
            continue
        writable = (folder / "brightness").is_file() and _writable(folder / "brightness")
        if maximum > 0 and writable:
            return Backlight(folder, maximum)
    return None


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


def apply_brightness(percent: int | None, root: Path = SYSFS) -> bool:
    """Set the configured brightness at start, where supported; whether it was set."""
    if percent is None:
        return False
    backlight = find_backlight(root)
    if backlight is None:
        log.info("screen brightness %d%% configured, but not supported here", percent)
        return False
    try:
        backlight.set_percent(min(max(percent, MINIMUM), 100))
    except (OSError, ValueError) as exc:
        log.warning("screen brightness not set: %s", exc)
        return False
    return True
