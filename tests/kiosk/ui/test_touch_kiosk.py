"""`TouchKiosk` starts from a validated configuration: the attract screen shows the configured
terminal name in the configured language, then the services open behind it."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from ui_harness import texts_on_screen

from kiosk.config import load_config
from kiosk.i18n import t
from kiosk.ui.lockdown import WindowOptions
from kiosk.ui.touch_kiosk import TouchKiosk

STATION = """
simulate = true
[terminal]
language = "en"
name = { zh_CN = "幸福里社区服务站", en = "Xingfuli community station" }
"""


async def until_true(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Wait (letting the app's frames run) until `condition` holds; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


@pytest.fixture
def event_loop_restored(window: Any) -> AsyncIterator[None]:
    """Stopping an app closes Kivy's event loop; the other UI tests drive frames by hand."""
    from kivy.base import EventLoop

    before = (EventLoop.status, EventLoop.quit)
    yield None
    EventLoop.status, EventLoop.quit = before


@pytest.mark.idle_gc
async def test_the_attract_screen_shows_the_configured_name_and_language(
    event_loop_restored: None, tmp_path: Path
) -> None:
    from kivy.core.window import Window

    path = tmp_path / "kiosk.toml"
    path.write_text(STATION, encoding="utf-8")
    kiosk = TouchKiosk(
        load_config(path, {}), options=WindowOptions.development(), data_dir=tmp_path
    )
    running = asyncio.ensure_future(kiosk.run())
    try:
        await asyncio.wait_for(asyncio.shield(kiosk.ready.wait()), 30)
        assert kiosk.first_frame_at is not None
        shown = [text for root in Window.children for text in texts_on_screen(root)]
        assert any("Xingfuli community station" in text for text in shown), shown
        assert t("ui.attract.start", "en") in shown
        assert kiosk.services is not None  # opened behind the attract screen
        # once the attract screen is up, garbage is collected and what survives frozen, so
        # no full collection falls inside a resident's session
        await until_true(lambda: gc.get_freeze_count() > 0, "a collection at the attract screen")
    finally:
        kiosk.stop()
        await asyncio.wait_for(running, 30)
    assert kiosk.services is None  # closed when the app stopped
    assert gc.get_freeze_count() == 0  # Python collects again as usual
