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

Each idle collection then deletes the GL objects (textures, buffers) of what it collected at
once, rather than at Kivy's next frame, and hands the C heap's free pages back to the system
(glibc's `malloc_trim`, a few milliseconds): a session's label textures, Mesa's buffers and the
objects it freed leave ~20 MB of free but resident holes in the heap, which the next session
would otherwise keep paying for in resident memory (`benchmarks/ui.py`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import logging
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

_enabled = False


def collect_now() -> float:
    """Collect everything (frozen objects too) and freeze what survives; return the seconds."""
    started = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    from kivy.graphics.context import get_context

    get_context().gl_dealloc()  # GL objects of what was collected: deleted now, not next frame
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    took = time.perf_counter() - started
    log.debug("idle collection: %.0f ms, %d objects frozen", took * 1000, gc.get_freeze_count())
    return took


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim` (free heap pages back to the system), None on other C libraries."""
    name = ctypes.util.find_library("c")
    try:
        trim: Any = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


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
