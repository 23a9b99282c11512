"""Full garbage collections happen once a frame is shown, only in a kiosk that enabled them."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from ui_harness import frames

from kiosk.ui import idle_gc


class _Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def no_automatic_gc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(idle_gc, "_enabled", False)
    was_enabled = gc.isenabled()
    gc.disable()  # only the idle collection may find the cycle
    yield
    gc.unfreeze()
    if was_enabled:
        gc.enable()


def _garbage() -> weakref.ref[_Cycle]:
    cycle = _Cycle()
    return weakref.ref(cycle)


@pytest.mark.idle_gc
@pytest.mark.usefixtures("no_automatic_gc")
def test_the_idle_collection_runs_after_the_next_frame_once_enabled(window: Any) -> None:
    left = _garbage()
    idle_gc.collect_after_next_frame()  # not enabled: tours and tests keep Python's own
    window.canvas.ask_update()
    frames(2)
    assert left() is not None
    idle_gc.enable()
    assert left() is not None  # not while the attract screen is still being drawn
    window.canvas.ask_update()
    frames(2)
    assert left() is None
    assert gc.get_freeze_count() > 0  # what survived is frozen: later collections skip it
    idle_gc.disable()  # the kiosk stopped
    assert gc.get_freeze_count() == 0
    idle_gc.collect_after_next_frame()
    window.canvas.ask_update()
    frames(2)
    assert gc.get_freeze_count() == 0
