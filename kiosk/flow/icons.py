"""The names of the Material Design Icons a flow may name (`icon:`), read from the icon font.

The kiosk draws icons with the Material Design Icons font (Debian `fonts-materialdesignicons-
webfont`, SIL OFL 1.1; icons Apache-2.0). Its stylesheet maps each icon name to the font's code
point (`.mdi-home:before { content: "\\F2DC"; }`); reading it takes a few milliseconds and is
done once, when a name is first looked up.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

ICON_FONT_ENV = "KIOSK_ICON_FONT"
"""Environment variable naming the icon font file (its stylesheet beside it or in ../css)."""

MDI_DIR = Path("/usr/share/fonts-materialdesignicons-webfont")
FONT_PATHS: tuple[Path, ...] = (
    MDI_DIR / "fonts" / "materialdesignicons-webfont.ttf",
    Path("/usr/share/fonts/truetype/materialdesignicons-webfont/materialdesignicons-webfont.ttf"),
)
"""Where the icon font is looked for, first found wins."""
CSS_PATHS: tuple[Path, ...] = (MDI_DIR / "css" / "materialdesignicons.css",)
_RULE = re.compile(r"\.mdi-([a-z0-9-]+):before\s*\{\s*content:\s*\"\\([0-9A-Fa-f]+)\"")


def font_path() -> Path | None:
    """The icon font file, or None when it is not installed."""
    env = os.environ.get(ICON_FONT_ENV)
    paths = ((Path(env),) if env else ()) + FONT_PATHS
    return next((p for p in paths if p.is_file()), None)


def _css_path() -> Path | None:
    env = os.environ.get(ICON_FONT_ENV)
    extra: tuple[Path, ...] = ()
    if env:
        font = Path(env)
        extra = (font.with_suffix(".css"), font.parent.parent / "css" / "materialdesignicons.css")
    return next((p for p in extra + CSS_PATHS if p.is_file()), None)


@functools.cache
def icon_codes() -> dict[str, str]:
    """Icon name → its character in the icon font (empty when the font is not installed)."""
    css = _css_path()
    if css is None:
        return {}
    text = css.read_text(encoding="utf-8")
    return {name: chr(int(code, 16)) for name, code in _RULE.findall(text)}


def known_icon(name: str) -> bool | None:
    """Whether the icon font has `name`; None when the font is not installed to tell."""
    codes = icon_codes()
    return (name in codes) if codes else None
