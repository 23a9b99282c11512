"""Frames held back from an answer until the next screen, never longer than the limit."""

from __future__ import annotations

import asyncio
import time

from kiosk.ui.frame_hold import FrameHold


async def test_nothing_held_lets_the_frame_through_at_once() -> None:
    hold = FrameHold(seconds=5)
    await asyncio.wait_for(hold.wait(), 0.5)
    assert not hold.holding


async def test_a_held_frame_waits_for_the_next_screen() -> None:
    hold = FrameHold(seconds=5)
    hold.begin()
    waiting = asyncio.ensure_future(hold.wait())
    await asyncio.sleep(0)
    assert hold.holding and not waiting.done()
    hold.end()
    await asyncio.wait_for(waiting, 0.5)
    assert not hold.holding


async def test_a_hold_never_outlasts_its_limit() -> None:
    hold = FrameHold(seconds=0.05)
    hold.begin()
    started = time.monotonic()
    await asyncio.wait_for(hold.wait(), 2)
    assert time.monotonic() - started >= 0.04
