"""One real Kivy window for all UI tests (Kivy creates its window once per process).

SDL2 renders offscreen with Mesa when no DISPLAY is set: real pixels and touches, no Xvfb.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

# test modules import `ui_harness` from this folder (the test dirs are not packages)
sys.path.insert(0, os.path.dirname(__file__))

WIDTH, HEIGHT = 1280, 1024  # a common 19-inch government kiosk panel


@pytest.fixture(scope="session")
def window() -> Any:
    """The Kivy window, created once, with the CJK font registered and no input providers."""
    if os.environ.get("KIVY_GL_BACKEND") == "mock":
        pytest.skip("needs real rendering (unset KIVY_GL_BACKEND=mock)")
    from kivy.config import Config

    Config.set("graphics", "width", str(WIDTH))
    Config.set("graphics", "height", str(HEIGHT))
    Config.set("graphics", "maxfps", "0")  # frames as fast as they render: no frame-rate waits
    for name, _value in Config.items("input"):
        Config.remove_option("input", name)
    from kiosk.ui.fonts import register_cjk_font

    register_cjk_font()
    from kivy.base import EventLoop

    EventLoop.ensure_window()
    from kivy.core.window import Window

    return Window


@pytest.fixture
def shell(window: Any) -> Iterator[Any]:
    """A fresh `KioskShell` on the window, drawn by its own `SessionCore` (`shell.inputs`, on a
    manual clock); removed, and its clocks stopped, after the test."""
    from kivy.base import EventLoop

    from kiosk.clock import ManualClock
    from kiosk.session.core import SessionCore
    from kiosk.ui.renderer import TouchRenderer
    from kiosk.ui.shell import KioskShell

    widget = KioskShell()
    window.add_widget(widget)
    core = SessionCore(ManualClock(1_700_000_000.0))
    core.attach(TouchRenderer(widget, core))
    EventLoop.idle()
    yield widget
    core.end()
    core.close()
    window.remove_widget(widget)
    EventLoop.idle()
    from kivy.graphics.opengl import glFinish

    # Mesa's software renderer draws queued frames behind the test's back: finish them here,
    # or the next test's first read of the screen waits for them (seconds after many taps)
    glFinish()
