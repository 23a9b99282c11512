"""`kiosk run`'s start: the attract screen from the start settings first, the whole configuration
validated behind it, and a mistake found then stops the kiosk with the configuration's error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from ui_harness import texts_on_screen

from kiosk.config import Config, ConfigError, load_config
from kiosk.early_config import DeferredConfig, read_start_settings
from kiosk.ui.lockdown import WindowOptions
from kiosk.ui.touch_kiosk import TouchKiosk

STATION = """
simulate = true
[terminal]
name = { zh_CN = "幸福里社区服务站", en = "Xingfuli community station" }
"""


@pytest.fixture
def event_loop_restored(window: Any) -> AsyncIterator[None]:
    """Stopping an app closes Kivy's event loop; the other UI tests drive frames by hand."""
    from kivy.base import EventLoop

    before = (EventLoop.status, EventLoop.quit)
    yield None
    EventLoop.status, EventLoop.quit = before


def _kiosk(config: Config | DeferredConfig, tmp_path: Path) -> TouchKiosk:
    return TouchKiosk(
        config,
        options=WindowOptions.development(),
        data_dir=tmp_path,
        stop_after_first_frame=True,
    )


async def test_the_attract_screen_is_drawn_before_the_configuration_is_validated(
    event_loop_restored: None, tmp_path: Path
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(STATION, encoding="utf-8")
    settings = read_start_settings(path, {})
    assert settings is not None
    seen_at_validation: list[tuple[float | None, list[str]]] = []

    def load() -> Config:
        from kivy.core.window import Window

        shown = [text for root in Window.children for text in texts_on_screen(root)]
        seen_at_validation.append((kiosk.first_frame_at, shown))
        return load_config(path, {})

    kiosk = _kiosk(DeferredConfig(settings, load), tmp_path)
    await asyncio.wait_for(kiosk.run(), 30)
    assert kiosk.ready.is_set()  # the services opened behind it, then it stopped as asked
    [(drawn_at, texts)] = seen_at_validation
    assert drawn_at is not None
    assert any("幸福里社区服务站" in text for text in texts)
    assert kiosk.config.terminal.name.en == "Xingfuli community station"


async def test_a_mistake_found_behind_the_attract_screen_stops_the_kiosk(
    event_loop_restored: None, tmp_path: Path
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(STATION + '[timeouts]\nsession_inactivity = "soon"\n', encoding="utf-8")
    settings = read_start_settings(path, {})
    assert settings is not None  # nothing wrong with what the first frame needs

    kiosk = _kiosk(DeferredConfig(settings, lambda: load_config(path, {})), tmp_path)
    with pytest.raises(ConfigError, match=r"timeouts\.session_inactivity"):
        await asyncio.wait_for(kiosk.run(), 30)
    assert kiosk.first_frame_at is not None
    assert kiosk.services is None and not kiosk.ready.is_set()
