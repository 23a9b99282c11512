"""The manual clock lets asyncio tests control time; the system clock is wall time."""

from __future__ import annotations

import asyncio
import time

from kiosk.clock import ManualClock, SystemClock


async def test_manual_sleeps_finish_in_deadline_order_and_not_before() -> None:
    clock = ManualClock(start=100.0)
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.now()))

    tasks = [asyncio.create_task(sleeper(n, s)) for n, s in (("c", 30), ("a", 10), ("b", 20))]
    await asyncio.sleep(0)
    clock.advance(15)
    await asyncio.sleep(0)
    assert [name for name, _ in woke] == ["a"]
    clock.advance(15)
    await asyncio.gather(*tasks)
    assert [name for name, _ in woke] == ["a", "b", "c"]
    assert clock.now() == 130.0
    assert clock.pending == 0


async def test_manual_sleep_deadline_is_fixed_when_called_not_when_awaited() -> None:
    clock = ManualClock()
    pending = clock.sleep(5)
    clock.advance(5)
    # Already due: awaiting it must return at once, without anyone advancing the clock again.
    await asyncio.wait_for(_await(pending), timeout=1)
    assert clock.now() == 5.0


async def _await(awaitable: object) -> None:
    await awaitable  # type: ignore[misc]


def test_manual_clock_refuses_to_go_backwards() -> None:
    clock = ManualClock(10)
    try:
        clock.advance(-1)
    except ValueError:
        pass
    else:
        raise AssertionError("advance(-1) was accepted")
    assert clock.now() == 10


async def test_system_clock_is_wall_time() -> None:
    clock = SystemClock()
    assert abs(clock.now() - time.time()) < 1.0
    before = time.monotonic()
    await clock.sleep(0.01)
    assert time.monotonic() - before >= 0.009
