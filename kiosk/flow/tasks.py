"""Cancelling the tasks a wait raced, without swallowing the waiter's own cancellation.

`with suppress(CancelledError): await task` after `task.cancel()` is the usual idiom, and it
has a hole: if the waiting task is itself cancelled while it awaits `task`, asyncio forwards
that cancellation to `task`, and the `CancelledError` that comes back is suppressed, so the
waiter carries on as if nobody had asked it to stop (a kiosk that will not shut down).
`asyncio.wait` never raises its tasks' exceptions, so the waiter's own cancellation is the only
`CancelledError` that can come out of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Collection, Iterable
from typing import Any

log = logging.getLogger(__name__)


async def cancel_and_wait(tasks: Iterable[asyncio.Future[Any]]) -> None:
    """Cancel every task not done yet and wait until all have ended (errors are logged)."""
    every = list(tasks)
    pending = [task for task in every if not task.done()]
    for task in pending:
        task.cancel()
    pending = [task for task in pending if not task.done()]  # a bare future ends at once
    if pending:
        await settled(pending, every=True)
    for task in every:
        if task.cancelled():
            continue
        with contextlib.suppress(asyncio.InvalidStateError):
            error = task.exception()  # retrieved: no "never retrieved" warning later
            if error is not None:
                log.debug("a raced task ended with %s", type(error).__name__)


async def settled(
    futures: Collection[asyncio.Future[Any]], *, every: bool = False
) -> set[asyncio.Future[Any]]:
    """The futures that are done once the first of them is (`every`: once all are).

    `asyncio.wait(futures, return_when=...)` on futures and tasks alone, without its checks
    and copies (the engine waits this way several times a question): likewise it returns
    after at least one turn of the loop, even when one is done already, so that whatever
    completes in the same moment is seen done too.
    """
    if not futures:
        raise ValueError("nothing to wait for")  # as `asyncio.wait`: it would never end
    waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    left = len(futures)

    def ended(_: asyncio.Future[Any]) -> None:
        nonlocal left
        left -= 1
        if (left <= 0 or not every) and not waiter.done():
            waiter.set_result(None)

    for future in futures:
        future.add_done_callback(ended)
    try:
        await waiter
    finally:
        for future in futures:
            future.remove_done_callback(ended)
    return {future for future in futures if future.done()}


async def first_of(*waits: Awaitable[Any]) -> None:
    """Wait until the first of several awaitables completes; cancel and wait for the rest."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await settled(tasks)
    finally:
        await cancel_and_wait(tasks)
