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
from collections.abc import Awaitable, Iterable
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
        await asyncio.wait(pending)
    for task in every:
        if task.cancelled():
            continue
        with contextlib.suppress(asyncio.InvalidStateError):
            error = task.exception()  # retrieved: no "never retrieved" warning later
            if error is not None:
                log.debug("a raced task ended with %s", type(error).__name__)


async def first_of(*waits: Awaitable[Any]) -> None:
    """Wait until the first of several awaitables completes; cancel and wait for the rest."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        await cancel_and_wait(tasks)
