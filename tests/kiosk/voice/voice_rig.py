"""Voice-mode rig: simulated speaker, keypad, headset and recogniser, a session core and its
voice renderer, wired like the kiosk (device events go to the core on the test's loop).

Imported by the tests of this folder (`from voice_rig import ...`; conftest puts it on the path).
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from kiosk.clock import ManualClock
from kiosk.flow.prompt import Answer, Event, Prompt
from kiosk.session.core import SessionCore
from kiosk.session.state import SessionState
from kiosk.voice.renderer import VoiceRenderer
from peripherals.events import AsyncioDispatcher
from peripherals.headset.simulator import SimulatedHeadset
from peripherals.keypad.keys import Key
from peripherals.keypad.simulated import SimulatedKeypad
from peripherals.recognizer.base import PartialHandler, Recognition
from peripherals.recognizer.matching import match_phrase
from peripherals.recognizer.simulator import SimulatedRecognizer
from peripherals.speaker.base import Route, Utterance
from peripherals.speaker.simulator import SimulatedSpeaker
from tests.support.session import Recorder


class CancellableRecognizer(SimulatedRecognizer):
    """The simulated recogniser, but `cancel()` ends a waiting `listen` like the vosk driver's.

    (`SimulatedRecognizer.listen` ignores `cancel()`: a listen abandoned because the resident
    answered by key would otherwise take the next thing said.)
    """

    def listen(
        self,
        phrases: Any,
        timeout: float,
        on_partial: PartialHandler | None = None,
    ) -> Recognition:
        self._require_open()
        self.simulator.grammars.append(list(phrases))
        self._cancel.clear()
        deadline = time.monotonic() + timeout
        while not self._cancel.is_set() and time.monotonic() < deadline:
            try:
                text = self.simulator.heard.get(timeout=0.02)
            except queue.Empty:
                continue
            if on_partial is not None:
                on_partial(text)
            return Recognition(text, match_phrase(text, phrases))
        return Recognition("")


class ObservedSpeaker(SimulatedSpeaker):
    """The simulated speaker, also queueing each utterance as it starts (`started`)."""

    def __init__(self) -> None:
        super().__init__()
        self.started: queue.Queue[Utterance] = queue.Queue()

    def _play(self, utterance: Utterance, cancelled: threading.Event) -> None:
        super()._play(utterance, cancelled)
        self.started.put(utterance)


class HeldSpeaker(ObservedSpeaker):
    """A simulated speaker whose utterances last until `release()` or until cut off."""

    def __init__(self) -> None:
        super().__init__()
        self.release_event = threading.Event()
        self.cut: list[str] = []

    def release(self) -> None:
        """Let every utterance play to the end from now on."""
        self.release_event.set()

    def _play(self, utterance: Utterance, cancelled: threading.Event) -> None:
        self.simulator.record(utterance)
        self.started.put(utterance)
        while not self.release_event.is_set():
            if cancelled.wait(0.01):
                self.cut.append(utterance.text)
                return


class SteppedSpeaker(HeldSpeaker):
    """Each utterance lasts until `finish_one()` lets the one playing end (or it is cut)."""

    def __init__(self) -> None:
        super().__init__()
        self._finish = threading.Semaphore(0)

    def finish_one(self) -> None:
        """Let the utterance playing now end."""
        self._finish.release()

    def _play(self, utterance: Utterance, cancelled: threading.Event) -> None:
        self.simulator.record(utterance)
        self.started.put(utterance)
        while not self._finish.acquire(timeout=0.01):
            if cancelled.is_set():
                self.cut.append(utterance.text)
                return


@dataclass
class Rig:
    """The voice devices, the session core and its voice renderer, plus the prompts asked."""

    speaker: SimulatedSpeaker
    keypad: SimulatedKeypad
    headset: SimulatedHeadset
    recognizer: CancellableRecognizer | None
    core: SessionCore
    renderer: VoiceRenderer
    asked: asyncio.Queue[Prompt] = field(default_factory=asyncio.Queue)
    now: list[float] = field(default_factory=lambda: [0.0])

    def ask(self, prompt: Prompt) -> asyncio.Future[Answer | Event]:
        """Ask `prompt` through the session core (as the engine does)."""
        return asyncio.ensure_future(self.core.ask(prompt))

    async def until(self, condition: Callable[[SessionState], bool], timeout: float = 5) -> None:
        """Wait until the session's state satisfies `condition` (device events come from
        simulator threads; fails the test after `timeout` s)."""
        watch = Recorder()
        self.core.attach(watch)
        try:
            async with asyncio.timeout(timeout):
                while not condition(self.core.state):
                    watch.news.clear()
                    await watch.news.wait()
        finally:
            self.core.detach(watch)

    async def next_prompt(self) -> Prompt:
        """The next prompt the renderer waits on (fails the test after 5 s)."""
        return await asyncio.wait_for(self.asked.get(), 5)

    def press(self, *keys: Key | str) -> None:
        """Press keys on the simulated keypad."""
        for key in keys:
            self.keypad.simulator.press(key)

    async def echo_of(self, key: Key | str) -> str:
        """Press `key` once everything before was spoken; what is said next."""
        speaker = self.speaker
        assert isinstance(speaker, ObservedSpeaker)
        await asyncio.to_thread(speaker.wait_idle, 5)
        while not speaker.started.empty():
            speaker.started.get_nowait()
        self.press(key)
        utterance = await asyncio.to_thread(speaker.started.get, True, 5)
        return utterance.text

    async def hear_said(self, part: str) -> str:
        """Wait until an utterance containing `part` starts playing; its text."""
        speaker = self.speaker
        assert isinstance(speaker, ObservedSpeaker)
        while True:
            utterance = await asyncio.to_thread(speaker.started.get, True, 5)
            if part in utterance.text:
                return utterance.text

    def say(self, *texts: str) -> None:
        """The resident says these, in order."""
        assert self.recognizer is not None
        for text in texts:
            self.recognizer.simulator.hear(text)

    async def spoken_until_idle(self) -> list[Utterance]:
        """Everything spoken so far, once the speaker has finished."""
        await asyncio.to_thread(self.speaker.wait_idle, 5)
        return list(self.speaker.simulator.spoken)

    def texts(self, route: Route | None = None) -> list[str]:
        """Texts spoken (on `route`, if given)."""
        return [u.text for u in self.speaker.simulator.spoken if route in (None, u.route)]


RigFactory = Callable[..., Rig]


def make_rig_factory(loop: asyncio.AbstractEventLoop, stack: ExitStack) -> RigFactory:
    """A function building rigs whose devices `stack` closes."""

    def make(
        *, recognizer: bool = False, speaker: SimulatedSpeaker | None = None, voice: bool = True
    ) -> Rig:
        """A rig; `voice=False` leaves voice mode off until the VOICE key or the headset."""
        speaker = speaker or ObservedSpeaker()
        core = SessionCore(ManualClock())
        dispatcher = AsyncioDispatcher(loop, core.handle)
        headset = SimulatedHeadset(dispatcher=dispatcher)
        keypad = SimulatedKeypad(dispatcher=dispatcher)
        rec = CancellableRecognizer() if recognizer else None
        for device in (speaker, keypad, headset, rec):
            if device is not None:
                device.open()
                stack.callback(device.close)
        rig_now = [0.0]
        asked: asyncio.Queue[Prompt] = asyncio.Queue()
        renderer = VoiceRenderer(
            speaker, core, rec, clock=lambda: rig_now[0], on_ask=asked.put_nowait
        )
        core.attach(renderer)
        stack.callback(core.close)
        if voice:
            core.start_voice("key")
        return Rig(speaker, keypad, headset, rec, core, renderer, asked, rig_now)

    return make
