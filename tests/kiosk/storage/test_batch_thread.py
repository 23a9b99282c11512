"""The batch thread: work asked while it is busy is done together and each asker answered."""

from __future__ import annotations

import asyncio
import threading

import pytest

from kiosk.storage.batch_thread import BatchThread


class Work:
    """Records each batch; the first batch waits until released."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, requests: list[str]) -> list[str | BaseException]:
        self.batches.append(list(requests))
        self.started.set()
        self.release.wait(10)
        return [ValueError(r) if r.startswith("bad") else r.upper() for r in requests]


async def test_work_asked_while_the_thread_is_busy_is_one_batch_each_asker_answered() -> None:
    work = Work()
    thread: BatchThread[str, str] = BatchThread("test-batch", work)
    first = asyncio.ensure_future(thread.ask("a"))
    await asyncio.to_thread(work.started.wait, 10)  # the thread is inside the first batch
    later = [asyncio.ensure_future(thread.ask(r)) for r in ("b", "bad-c", "d")]
    await asyncio.sleep(0)  # each has asked
    work.release.set()
    assert await first == "A"
    assert await later[0] == "B"
    with pytest.raises(ValueError, match="bad-c"):
        await later[1]
    assert await later[2] == "D"
    assert work.batches == [["a"], ["b", "bad-c", "d"]]
    thread.close()


async def test_an_asker_that_stops_waiting_leaves_the_others_answered() -> None:
    work = Work()
    thread: BatchThread[str, str] = BatchThread("test-batch", work)
    first = asyncio.ensure_future(thread.ask("a"))
    await asyncio.to_thread(work.started.wait, 10)
    gone = asyncio.ensure_future(thread.ask("b"))
    kept = asyncio.ensure_future(thread.ask("c"))
    await asyncio.sleep(0)
    gone.cancel()
    work.release.set()
    assert (await first, await kept) == ("A", "C")
    assert gone.cancelled()
    assert work.batches == [["a"], ["b", "c"]]  # asked once, it was done all the same
    thread.close()


async def test_a_batch_that_fails_as_a_whole_fails_each_asker_and_the_thread_goes_on() -> None:
    calls: list[list[int]] = []

    def work(requests: list[int]) -> list[int | BaseException]:
        calls.append(requests)
        if len(calls) == 1:
            raise OSError("disk gone")
        return [r * 2 for r in requests]

    thread: BatchThread[int, int] = BatchThread("test-batch", work)
    with pytest.raises(OSError, match="disk gone"):
        await thread.ask(1)
    assert await thread.ask(2) == 4
    thread.close()


async def test_the_thread_ends_when_idle_and_starts_again_when_asked() -> None:
    thread: BatchThread[int, int] = BatchThread("test-batch", lambda rs: [r + 1 for r in rs])
    assert await thread.ask(1) == 2
    thread.close()
    assert not [t for t in threading.enumerate() if t.name == "test-batch"]
    assert await thread.ask(2) == 3
    thread.close()
    assert not [t for t in threading.enumerate() if t.name == "test-batch"]
