"""The kiosk's update schedule: a poll soon after start, then every interval give or take jitter.

Runs as a task on the kiosk's asyncio loop with the kiosk's clock (a manual clock in tests); each
poll's network and disk work runs on a thread of its own, and its result is settled back on the
loop, where sessions start, so a bundle is never switched under a resident.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from collections.abc import Callable
from typing import Any

from kiosk.flow.services import Clock
from kiosk.updates.agent import FlowHost, Journal, UpdateAgent, next_delay
from kiosk.updates.status import UpdateStatus

log = logging.getLogger(__name__)


class UpdatePoller:
    """Polls for `agent` on a schedule; `idle()` tells whether no resident is in a session."""

    def __init__(
        self,
        agent: UpdateAgent,
        host: FlowHost,
        journal: Journal,
        *,
        clock: Clock,
        idle: Callable[[], bool],
        rng: random.Random | None = None,
    ) -> None:
        self.agent = agent
        self.host = host
        self.journal = journal
        self.clock = clock
        self.idle = idle
        self.rng = rng or random.Random()
        self.polls = 0
        self._thread: threading.Thread | None = None

    async def run(self) -> None:
        """Poll until cancelled."""
        settings = self.agent.settings
        delay = self.rng.uniform(0, settings.jitter * settings.poll_interval)
        try:
            while True:
                await self.clock.sleep(delay)
                await self.poll_now()
                delay = next_delay(settings.poll_interval, settings.jitter, self.rng)
        finally:
            self.join()

    async def poll_now(self) -> UpdateStatus:
        """One poll: the repository asked on a thread, the result settled here."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[UpdateStatus] = loop.create_future()

        def work() -> None:
            try:
                result: Any = self.agent.poll()
            except BaseException as exc:  # reported on the loop, not lost on the thread
                loop.call_soon_threadsafe(_fail, done, exc)
                return
            loop.call_soon_threadsafe(_resolve, done, result)

        self._thread = threading.Thread(target=work, name="update-poll", daemon=True)
        self._thread.start()
        try:
            status = await done
        except Exception:
            log.exception("update poll failed")
            raise
        finally:
            self.join()
        self.polls += 1
        self.agent.settle(status, self.host, self.journal, self.idle())
        return status

    def join(self) -> None:
        """Wait for a poll thread still running (its network timeout bounds the wait)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def _resolve(future: asyncio.Future[UpdateStatus], value: UpdateStatus) -> None:
    if not future.done():
        future.set_result(value)


def _fail(future: asyncio.Future[UpdateStatus], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
