"""Clocks implementing the engine's `Clock`: the system one and a manual one for tests."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
import time
from collections.abc import Generator
from typing import Any


class SystemClock:
    """Wall-clock time (`time.time()`) and real `asyncio.sleep`.

    Wall time rather than monotonic, because the outbox and journal store these times in the
    database and must still understand them after a restart.
    """

    def now(self) -> float:
        """Seconds since the Unix epoch."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        """Sleep for real."""
        await asyncio.sleep(max(seconds, 0.0))


class _Sleeper:
    """One pending `ManualClock.sleep`: done once the clock reaches its deadline."""

    def __init__(self, clock: ManualClock, deadline: float) -> None:
        self._clock = clock
        self.deadline = deadline
        self.done = False
        self._future: asyncio.Future[None] | None = None

    def wake(self) -> None:
        self.done = True
        future = self._future
        if future is None or future.done():
            return
        loop = future.get_loop()
        try:
            same_loop = asyncio.get_running_loop() is loop
        except RuntimeError:
            same_loop = False
        if same_loop:
            future.set_result(None)
        else:
            loop.call_soon_threadsafe(_resolve, future)

    def __await__(self) -> Generator[Any, None, None]:
        with self._clock._lock:
            if not self.done:
                self._future = asyncio.get_running_loop().create_future()
        if self._future is not None:
            yield from self._future.__await__()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class ManualClock:
    """A clock that moves only when told to; `advance` completes due sleeps in deadline order.

    The deadline of `sleep(s)` is fixed when `sleep` is called, not when it is awaited, so a test
    can start a task, advance the clock and know exactly which sleeps have finished.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self._pending: list[tuple[float, int, _Sleeper]] = []
        self._order = itertools.count()

    def now(self) -> float:
        """The current manual time."""
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> _Sleeper:
        """An awaitable completing once the clock has been advanced by `seconds`."""
        with self._lock:
            sleeper = _Sleeper(self, self._now + max(seconds, 0.0))
            if seconds <= 0:
                sleeper.done = True
            else:
                heapq.heappush(self._pending, (sleeper.deadline, next(self._order), sleeper))
            return sleeper

    def advance(self, seconds: float) -> None:
        """Move time forward, waking each sleep that falls due, earliest first."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            target = self._now + seconds
            while self._pending and self._pending[0][0] <= target:
                deadline, _, sleeper = heapq.heappop(self._pending)
                self._now = deadline
                sleeper.wake()
            self._now = target

    def set(self, when: float) -> None:
        """Jump to an absolute time (forward only)."""
        self.advance(when - self.now())

    @property
    def pending(self) -> int:
        """How many sleeps are waiting for the clock."""
        with self._lock:
            return len(self._pending)
