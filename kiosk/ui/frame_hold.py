"""Not drawing a screen that is about to be replaced.

Once a tap has answered the question on screen, the next screen follows within a few turns of
the event loop. Kivy, given those turns, would spend each on a frame of the old screen (the
released button, the bar's controls disabled): 10-35 ms of CPU each under software GL, and the
next screen waits behind them. `FRAME_HOLD` keeps Kivy's loop from running from the answer until
the next screen is set up, or `HOLD_SECONDS` at most, so the next frame drawn is the new screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

HOLD_SECONDS = 0.15
"""The longest a screen change may keep frames back (then the old screen is drawn as it is)."""


class FrameHold:
    """Keeps Kivy's asyncio loop from drawing between `begin` and `end` (or the deadline)."""

    def __init__(self, seconds: float = HOLD_SECONDS) -> None:
        self.seconds = seconds
        self._until = 0.0
        self._ended: asyncio.Event | None = None

    @property
    def holding(self) -> bool:
        """Whether frames are being held back now."""
        return self._until > time.monotonic()

    def begin(self) -> None:
        """The screen is about to be replaced: hold frames back for `seconds` at most."""
        self._until = time.monotonic() + self.seconds

    def end(self) -> None:
        """The next screen is set up: draw again."""
        self._until = 0.0
        if self._ended is not None:
            self._ended.set()

    async def wait(self) -> None:
        """Return once nothing is held (at once, mostly)."""
        while (left := self._until - time.monotonic()) > 0:
            self._ended = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ended.wait(), left)
            self._ended = None


FRAME_HOLD = FrameHold()
"""The hold the shell begins on an answer and ends on the next screen."""


def install(hold: FrameHold = FRAME_HOLD) -> None:
    """Make Kivy's asyncio loop (`App.async_run`) wait for `hold` before each frame (once):
    before its clock's pause between frames and after it (a tap comes in during the pause)."""
    from kivy.base import EventLoop
    from kivy.clock import Clock

    loop_idle: Callable[[], Awaitable[Any]] = EventLoop.async_idle
    if getattr(loop_idle, "frame_hold", None) is not None:
        return
    clock_idle: Callable[[], Awaitable[Any]] = Clock.async_idle

    async def held_loop_idle() -> Any:
        await hold.wait()
        return await loop_idle()

    async def held_clock_idle() -> Any:
        current = await clock_idle()
        await hold.wait()
        return current

    held_loop_idle.frame_hold = hold  # type: ignore[attr-defined]
    EventLoop.async_idle = held_loop_idle
    Clock.async_idle = held_clock_idle
