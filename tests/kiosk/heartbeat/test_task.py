"""The heartbeat task on the kiosk's loop follows the kiosk's clock."""

from __future__ import annotations

import asyncio
import contextlib

from kiosk.clock import ManualClock
from kiosk.heartbeat.task import run_heartbeats


class CountingSender:
    """Sends (counts) whenever due, then schedules the next a fixed 300 s later."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.next_at = clock.now() + 30
        self.sent: list[float] = []

    def tick(self) -> None:
        if self.clock.now() >= self.next_at:
            self.sent.append(self.clock.now())
            self.next_at = self.clock.now() + 300


async def _settle(sender: CountingSender, count: int) -> None:
    async with asyncio.timeout(5):
        while len(sender.sent) < count:
            await asyncio.sleep(0)


async def test_heartbeats_follow_the_kiosk_clock() -> None:
    clock = ManualClock(1000.0)
    sender = CountingSender(clock)
    task = asyncio.ensure_future(run_heartbeats(sender, clock))  # type: ignore[arg-type]
    try:
        for _ in range(3):
            await asyncio.sleep(0)
        assert sender.sent == []  # nothing before it is due
        clock.advance(30)
        await _settle(sender, 1)
        clock.advance(300)
        await _settle(sender, 2)
        assert sender.sent == [1030.0, 1330.0]
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
