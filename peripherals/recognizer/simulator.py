"""A simulated recogniser that "hears" text it is given, checked against phrases."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable, Sequence
from typing import ClassVar

from peripherals.errors import DeviceUnavailable
from peripherals.events import Dispatcher
from peripherals.recognizer.base import PartialHandler, Recognition, Recognizer
from peripherals.recognizer.matching import match_phrase


class RecognizerSimulator:
    """Queue of utterances the resident will say, and a fault switch."""

    def __init__(self) -> None:
        self.heard: queue.Queue[str] = queue.Queue()
        self.fault: str | None = None
        self.grammars: list[list[str]] = []

    def hear(self, text: str) -> None:
        """The resident says `text` (picked up by the next `listen`)."""
        self.heard.put(text)

    def fail(self, fault: str | None) -> None:
        """`no_microphone` makes listening fail; None clears it."""
        self.fault = fault


class SimulatedRecognizer(Recognizer):
    """Returns queued text as if recognised; records the grammar each listen offered."""

    driver: ClassVar[str] = "simulated"

    def __init__(self, name: str | None = None, dispatcher: Dispatcher | None = None) -> None:
        super().__init__(name, dispatcher)
        self.simulator = RecognizerSimulator()

    def listen(
        self,
        phrases: Sequence[str],
        timeout: float,
        on_partial: PartialHandler | None = None,
    ) -> Recognition:
        """Wait up to `timeout` s for queued text; empty recognition when none comes."""
        self._require_open()
        if self.simulator.fault == "no_microphone":
            raise DeviceUnavailable("no microphone", code="recognizer.no_microphone")
        self.simulator.grammars.append(list(phrases))
        deadline = time.monotonic() + timeout
        try:
            while True:
                # Short waits, so a cancelled listen lets go at once like the real one does.
                if self._cancel.is_set():
                    return Recognition("")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return Recognition("")
                try:
                    text = self.simulator.heard.get(timeout=min(remaining, 0.05))
                    break
                except queue.Empty:
                    continue
        finally:
            self._cancel.clear()
        if on_partial is not None:
            on_partial(text)
        return Recognition(text, match_phrase(text, phrases))

    def _do_open(self) -> None:
        """Nothing to open."""

    def _do_close(self) -> None:
        """Nothing to close."""

    def _decode(
        self,
        chunks: Iterable[bytes],
        sample_rate: int,
        phrases: list[str],
        on_partial: PartialHandler | None,
    ) -> str:
        raise DeviceUnavailable("the simulated recogniser takes text, not audio")

    def _live_audio(self, timeout: float, cancel: threading.Event) -> tuple[Iterable[bytes], int]:
        raise DeviceUnavailable("the simulated recogniser has no microphone")
