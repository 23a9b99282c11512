"""With screen and voice both listening, the first answer wins and the other stops waiting."""

from __future__ import annotations

import asyncio

import pytest

from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind
from kiosk.flow.race import FirstAnswer

PROMPT = Prompt(flow="f", step="s", kind=PromptKind.CHOOSE, text="请选择", say="请选择")


class Waiting:
    """A renderer that answers only when told to, and notes whether it was cancelled."""

    def __init__(self) -> None:
        self.answer: asyncio.Future[Answer | Event] = asyncio.get_running_loop().create_future()
        self.cancelled = False
        self.shown: list[Prompt] = []

    async def ask(self, prompt: Prompt) -> Answer | Event:
        try:
            return await self.answer
        except asyncio.CancelledError:
            self.cancelled = True
            raise

    async def show(self, prompt: Prompt) -> None:
        self.shown.append(prompt)


async def test_first_answer_wins_and_the_other_is_cancelled() -> None:
    screen, voice = Waiting(), Waiting()
    race = FirstAnswer([screen, voice])
    pending = asyncio.ensure_future(race.ask(PROMPT))
    await asyncio.sleep(0)
    voice.answer.set_result(Answer("personal", source="voice"))
    assert await pending == Answer("personal", source="voice")
    assert screen.cancelled and not voice.cancelled


async def test_events_win_like_answers() -> None:
    screen, voice = Waiting(), Waiting()
    pending = asyncio.ensure_future(FirstAnswer([screen, voice]).ask(PROMPT))
    await asyncio.sleep(0)
    screen.answer.set_result(Event.CANCEL)
    assert await pending is Event.CANCEL
    assert voice.cancelled


async def test_show_reaches_every_renderer() -> None:
    screen, voice = Waiting(), Waiting()
    await FirstAnswer([screen, voice]).show(PROMPT)
    assert screen.shown == [PROMPT] and voice.shown == [PROMPT]


def test_needs_a_renderer() -> None:
    with pytest.raises(ValueError):
        FirstAnswer([])
