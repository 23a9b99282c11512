"""Waiting for the first of several futures, and cancelling the rest."""

from __future__ import annotations

import asyncio

import pytest

from kiosk.flow.tasks import cancel_and_wait, settled


async def test_what_completes_in_the_same_moment_as_the_first_is_seen_done_too() -> None:
    loop = asyncio.get_running_loop()
    first, same_moment, later = loop.create_future(), loop.create_future(), loop.create_future()
    first.set_result("answer")  # done already: still seen with what ends in this turn
    waiting = asyncio.ensure_future(settled({first, same_moment, later}))
    same_moment.set_result("timeout")
    assert await waiting == {first, same_moment}
    await cancel_and_wait([later])
    assert later.cancelled()


async def test_every_waits_for_all_and_nothing_to_wait_for_is_refused() -> None:
    loop = asyncio.get_running_loop()
    one, two = loop.create_future(), loop.create_future()
    waiting = asyncio.ensure_future(settled([one, two], every=True))
    one.set_result(1)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert not waiting.done()
    two.set_result(2)
    assert await waiting == {one, two}
    with pytest.raises(ValueError, match="nothing to wait for"):
        await settled([])
