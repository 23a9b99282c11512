"""Blocking work for event loops, done on one thread in batches, answered in one loop callback.

`asyncio.to_thread` costs a hand-off each way for every call: a pool thread woken, and the loop
woken again for each answer, in a turn of its own. Work asked of a `BatchThread` is queued; its
thread takes everything queued while it worked as one batch (so the work can share a commit),
and answers the whole batch in one callback on each asking loop. The thread starts when work is
asked and ends after a moment with nothing to do, so an idle kiosk keeps no thread for it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Request = TypeVar("Request")
Answer = TypeVar("Answer")

IDLE_SECONDS = 0.05
"""How long the thread waits for more work before it ends (it starts again when asked)."""


class BatchThread(Generic[Request, Answer]):
    """One thread doing `work` on batches of requests for any number of event loops.

    `work` gets the requests of a batch in the order they were asked and returns one answer for
    each, in the same order: a value, or an exception that the asker's `ask` raises.
    """

    def __init__(
        self,
        name: str,
        work: Callable[[list[Request]], Sequence[Answer | BaseException]],
        *,
        idle: float = IDLE_SECONDS,
    ) -> None:
        self._name = name
        self._work = work
        self._idle = idle
        self._queue: list[tuple[Request, asyncio.AbstractEventLoop, asyncio.Future[Answer]]] = []
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closing = False

    async def ask(self, request: Request) -> Answer:
        """Have the thread do `request` (with whatever else is queued) and wait for its answer.

        Cancelling the wait does not take the request back: once asked, it is done."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answer] = loop.create_future()
        with self._changed:
            self._queue.append((request, loop, future))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            else:
                self._changed.notify()
        return await future

    def close(self) -> None:
        """Do what is queued and end the thread now (a later `ask` starts one again)."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(30.0)
        with self._changed:
            self._closing = False

    def _run(self) -> None:
        while True:
            with self._changed:
                if not self._queue and not self._closing:
                    self._changed.wait(self._idle)
                if not self._queue:
                    self._thread = None
                    return
                batch, self._queue = self._queue, []
            requests = [request for request, _, _ in batch]
            try:
                answers: Sequence[Answer | BaseException] = self._work(requests)
                if len(answers) != len(batch):
                    raise RuntimeError(f"{self._name}: {len(answers)} answers to {len(batch)}")
            except BaseException as exc:  # the work failed as a whole: each asker is told
                log.exception("%s: a batch of %d failed", self._name, len(batch))
                answers = [exc] * len(batch)
            by_loop: dict[
                asyncio.AbstractEventLoop,
                list[tuple[asyncio.Future[Answer], Answer | BaseException]],
            ] = {}
            for (_, loop, future), answer in zip(batch, answers, strict=True):
                by_loop.setdefault(loop, []).append((future, answer))
            for loop, answered in by_loop.items():
                try:
                    loop.call_soon_threadsafe(_resolve, answered)
                except RuntimeError:  # that loop is closed: nobody waits for these answers
                    log.debug("%s: %d answers for a closed loop", self._name, len(answered))


def _resolve(answered: list[tuple[asyncio.Future[Answer], Answer | BaseException]]) -> None:
    """On the asking loop: hand each waiting asker its answer."""
    for future, answer in answered:
        if future.done():  # the asker stopped waiting
            continue
        if isinstance(answer, BaseException):
            future.set_exception(answer)
        else:
            future.set_result(answer)
