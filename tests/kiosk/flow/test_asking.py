"""Asking the resident: the inactivity deadline, its holds and moves, and language switches."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from kiosk.clock import ManualClock
from kiosk.flow.asking import ask
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind
from kiosk.flow.session import Session


class _Screen:
    """A renderer that shows each prompt and answers only when the test says so."""

    def __init__(self) -> None:
        self.shown: list[Prompt] = []
        self.reply: asyncio.Future[Answer] | None = None

    async def ask(self, prompt: Prompt) -> Answer | Event:
        self.shown.append(prompt)
        self.reply = asyncio.get_running_loop().create_future()
        return await self.reply

    async def show(self, prompt: Prompt) -> None:
        self.shown.append(prompt)


async def _until(condition: Callable[[], bool]) -> None:
    """Let the loop run until `condition` holds (a bounded number of turns)."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


async def _settle() -> None:
    """Let the loop run a few turns (whatever was due has happened)."""
    for _ in range(20):
        await asyncio.sleep(0)


def _question(session: Session) -> Prompt:
    text = "你的建议？" if session.language == "zh_CN" else "Your suggestion?"
    return Prompt(
        flow="resident-feedback",
        step="suggestion",
        kind=PromptKind.INPUT,
        text=text,
        say=text,
        timeout=60,
        language=session.language,
    )


async def test_a_question_read_out_never_times_out_and_each_touch_pushes_it_back() -> None:
    clock = ManualClock(1000)
    session = Session(clock)
    screen = _Screen()
    asking = asyncio.ensure_future(ask(screen, lambda: _question(session), session, clock))
    await _until(lambda: clock.pending == 1)  # the minute's sleep
    session.hold()  # being read out: the deadline waits for the release
    await _settle()
    clock.advance(600)
    await _settle()
    assert not asking.done()
    session.release()  # the minute starts again from now
    await _until(lambda: clock.pending == 1)
    clock.advance(50)
    session.touch()
    await _until(lambda: clock.pending == 2)  # (the sleep it replaced is still listed)
    clock.advance(50)
    await _settle()
    assert not asking.done()
    clock.advance(10)
    assert await asking is Event.TIMEOUT
    assert len(screen.shown) == 1
    assert asyncio.all_tasks() == {asyncio.current_task()}  # nothing left waiting


async def test_a_language_switch_and_the_callers_rebuild_ask_again_until_answered() -> None:
    clock = ManualClock()
    session = Session(clock)
    screen = _Screen()
    rebuild = asyncio.Event()
    asking = asyncio.ensure_future(
        ask(screen, lambda: _question(session), session, clock, rebuild=rebuild)
    )
    await _until(lambda: len(screen.shown) == 1)
    session.set_language("en")
    await _until(lambda: len(screen.shown) == 2)
    rebuild.set()
    await _until(lambda: len(screen.shown) == 3)
    assert not rebuild.is_set()  # taken: one rebuild a request
    assert screen.reply is not None
    screen.reply.set_result(Answer("more benches"))
    assert await asking == Answer("more benches")
    assert [p.text for p in screen.shown] == ["你的建议？", "Your suggestion?", "Your suggestion?"]
    assert asyncio.all_tasks() == {asyncio.current_task()}  # the deadline's wait ended too


async def test_a_language_switch_without_a_rebuild_event_asks_again_in_the_new_language() -> None:
    clock = ManualClock()
    session = Session(clock)
    screen = _Screen()
    asking = asyncio.ensure_future(ask(screen, lambda: _question(session), session, clock))
    await _until(lambda: len(screen.shown) == 1)
    session.set_language("en")
    session.set_language("zh_CN")  # both switches in one moment: one new prompt
    await _until(lambda: len(screen.shown) == 2)
    assert screen.reply is not None
    screen.reply.set_result(Answer("ok"))
    assert await asking == Answer("ok")
    assert [p.text for p in screen.shown] == ["你的建议？", "你的建议？"]
