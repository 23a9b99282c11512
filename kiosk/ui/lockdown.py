"""Kiosk lockdown: fullscreen, borderless, no cursor; Escape and window close do nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WindowOptions:
    """How the kiosk window looks; development runs use `WindowOptions(kiosk=False)`."""

    fullscreen: bool = True
    borderless: bool = True
    show_cursor: bool = False
    width: int | None = None
    height: int | None = None
    multisamples: int = 0
    """Antialiasing samples (`[display] multisamples`); Kivy's own default, 2, makes every
    frame 2.5x dearer under Mesa's software renderer."""

    @classmethod
    def development(cls, width: int = 1280, height: int = 1024) -> WindowOptions:
        """A normal window with a cursor, for development."""
        return cls(fullscreen=False, borderless=False, show_cursor=True, width=width, height=height)


def configure(options: WindowOptions) -> None:
    """Set Kivy's configuration before the window exists (call before `kivy.core.window`)."""
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("graphics", "fullscreen", "auto" if options.fullscreen else "0")
    Config.set("graphics", "borderless", "1" if options.borderless else "0")
    Config.set("graphics", "show_cursor", "1" if options.show_cursor else "0")
    Config.set("graphics", "multisamples", str(options.multisamples))
    if options.width and options.height:
        Config.set("graphics", "width", str(options.width))
        Config.set("graphics", "height", str(options.height))


def _refuse_close(*_args: Any, **kwargs: Any) -> bool:
    log.info("window close refused (source=%s)", kwargs.get("source", "window"))
    return True


def _swallow_escape(_window: Any, key: int, *_args: Any, **_kwargs: Any) -> bool | None:
    # 27 is Escape; Android's back button arrives as 1001
    return True if key in (27, 1001) else None


def lock_window(window: Any, options: WindowOptions | None = None) -> None:
    """Make a created window a kiosk window: refuse close, ignore Escape, apply `options`."""
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    window.unbind(on_request_close=_refuse_close, on_keyboard=_swallow_escape)
    window.bind(on_request_close=_refuse_close, on_keyboard=_swallow_escape)
    if options is not None:
        window.borderless = options.borderless
        window.show_cursor = options.show_cursor
        if options.fullscreen:
            window.fullscreen = "auto"
