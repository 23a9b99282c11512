"""Python's full garbage collections done while the attract screen stands, not during a session.

A full (generation 2) collection walks every object the kiosk holds: ~90-115 ms of CPU once Kivy,
the flows and the label caches are loaded, growing with them. Left to Python, one falls inside a
session every flow or two, and the resident waits that long for the next screen (most of the
tap-latency p95). So once the attract screen has been drawn (at start and after each session,
when no one is waiting for a screen) everything is collected and what survives is frozen
(`gc.freeze`): later collections walk only what was made since. Each attract screen unfreezes
first, so garbage of earlier sessions is still found, at the cost of one full collection there.
Only a running kiosk turns this on (`enable`, after its first frame is on screen, `disable` when
it stops); tours and tests keep Python's own collections.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import Any

log = logging.getLogger(__name__)

_enabled = False


def collect_now() -> float:
    """Collect everything (frozen objects too) and freeze what survives; return the seconds."""
    started = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    took = time.perf_counter() - started
    log.debug("idle collection: %.0f ms, %d objects frozen", took * 1000, gc.get_freeze_count())
    return took


def enable() -> None:
    """Collect at every attract screen from now on, and once after the next frame."""
    global _enabled
    _enabled = True
    collect_after_next_frame()


def disable() -> None:
    """Leave collections to Python again (the kiosk has stopped): nothing stays frozen."""
    global _enabled
    _enabled = False
    gc.unfreeze()


def collect_after_next_frame() -> None:
    """Run `collect_now` once Kivy's window has shown its next frame (if `enable`d)."""
    if not _enabled:
        return
    from kivy.core.window import Window

    window: Any = Window

    def flipped(*_: Any) -> None:
        window.unbind(on_flip=flipped)
        collect_now()

    window.unbind(on_flip=flipped)
    window.bind(on_flip=flipped)
