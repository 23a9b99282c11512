"""The poll schedule: soon after start, then every interval give or take the jitter, on the
kiosk's own clock; each result settled on the loop."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from kiosk.clock import ManualClock
from kiosk.updates.agent import next_delay
from kiosk.updates.poller import UpdatePoller
from kiosk.updates.status import UpdateState, UpdateStatus


def test_delays_spread_around_the_interval_within_the_jitter() -> None:
    rng = random.Random(7)
    delays = [next_delay(900, 0.1, rng) for _ in range(1000)]
    assert 810 <= min(delays) < 830 and 970 < max(delays) <= 990
    assert len({round(d) for d in delays}) > 100  # a fleet does not poll in step
    assert next_delay(900, 0.0, rng) == 900


class CountingAgent:
    """Counts polls and settlements; says nothing is new."""

    settings = type("Settings", (), {"poll_interval": 100.0, "jitter": 0.1})()

    def __init__(self) -> None:
        self.polls = 0
        self.settled: list[bool] = []

    def poll(self) -> UpdateStatus:
        self.polls += 1
        return UpdateStatus(UpdateState.CURRENT, 1)

    def settle(self, status: UpdateStatus, host: Any, journal: Any, idle: bool) -> None:
        self.settled.append(idle)


async def test_polls_follow_the_kiosk_clock() -> None:
    clock = ManualClock(0.0)
    agent = CountingAgent()
    idle = [True]
    poller = UpdatePoller(
        agent,  # type: ignore[arg-type]
        host=None,  # type: ignore[arg-type]
        journal=None,  # type: ignore[arg-type]
        clock=clock,
        idle=lambda: idle[0],
        rng=random.Random(1),
    )
    task = asyncio.ensure_future(poller.run())
    try:
        await asyncio.sleep(0)
        assert agent.polls == 0
        clock.advance(10.0)  # the first poll comes within jitter x interval of the start
        await wait_for(lambda: agent.settled == [True])
        idle[0] = False
        clock.advance(80.0)  # not yet: at least 90 s between polls
        await asyncio.sleep(0)
        assert agent.polls == 1
        clock.advance(30.0)
        await wait_for(lambda: agent.settled == [True, False])  # settled, told someone is in
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def wait_for(condition: Any) -> None:
    async with asyncio.timeout(5):
        while not condition():
            await asyncio.sleep(0.001)
