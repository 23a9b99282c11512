"""Icons from the Material Design Icons font, as Kivy markup, and the kiosk's own icon names.

An icon is one character of the icon font, so it scales with elder mode and takes the theme's
colour like any text; the font is registered with Kivy once, when an icon is first drawn.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from kiosk.flow.icons import font_path, icon_codes

log = logging.getLogger(__name__)

ICON_FONT_NAME = "KioskIcons"

UI_ICONS: dict[str, str] = {
    "back": "arrow-left",
    "cancel": "home",
    "language": "translate",
    "elder": "glasses",
    "contrast": "contrast-circle",
    "help": "help-circle",
    "call_staff": "headset",
    "voice": "microphone",
    "clock": "clock",
    "success": "check-circle",
    "pending": "clock",
    "refused": "close-circle",
    "service": "file-document",
    "keyboard": "keyboard",
    "phrases": "message-text",
    "start": "hand-pointing-right",
}
"""What the kiosk's own controls show → icon font name (flows name their own icons)."""


@functools.cache
def register() -> bool:
    """Register the icon font with Kivy; False (and one log line) when it is not installed."""
    path = font_path()
    if path is None:
        log.warning("icon font not found: install fonts-materialdesignicons-webfont")
        return False
    from kivy.core.text import LabelBase

    LabelBase.register(name=ICON_FONT_NAME, fn_regular=str(path))
    return True


def glyph(name: str) -> str:
    """The character of icon `name` (a UI name from `UI_ICONS` or a font name), or ""."""
    return icon_codes().get(UI_ICONS.get(name, name), "")


def icon_markup(name: str, size: float | None = None) -> str:
    """Kivy markup drawing icon `name` inline (at `size` px), or "" without the icon font."""
    char = glyph(name)
    if not char or not register():
        return ""
    sized = f"[size={int(size)}]" if size else ""
    return f"[font={ICON_FONT_NAME}]{sized}{char}{'[/size]' if size else ''}[/font]"


def icon_texture(name: str, size: float) -> Any:
    """A white texture of icon `name` at `size` px (tinted by a Color), or None without the
    icon font; textures are kept per name and size, as screens are rebuilt often."""
    char = glyph(name)
    if not char or not register():
        return None
    return _texture(char, round(size))


@functools.cache
def _texture(char: str, size: int) -> Any:
    from kivy.core.text import Label as CoreLabel

    label = CoreLabel(text=char, font_name=ICON_FONT_NAME, font_size=size)
    label.refresh()
    return label.texture
