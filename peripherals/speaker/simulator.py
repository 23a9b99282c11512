"""A simulated speaker that records what would be spoken, in which language and where."""

from __future__ import annotations

import threading
from typing import ClassVar

from peripherals.errors import DeviceUnavailable
from peripherals.events import Dispatcher
from peripherals.speaker.base import DEFAULT_RATE, Speaker, Utterance


class SpeakerSimulator:
    """What the simulated speaker heard, and a switch to make it fail."""

    def __init__(self) -> None:
        self.spoken: list[Utterance] = []
        self.fault: str | None = None
        self._lock = threading.Lock()

    def fail(self, fault: str | None) -> None:
        """Make playback fail (`no_audio_device`), or clear the fault with None."""
        self.fault = fault

    def record(self, utterance: Utterance) -> None:
        """Keep one utterance."""
        with self._lock:
            self.spoken.append(utterance)

    def texts(self) -> list[str]:
        """The texts spoken so far, in order."""
        with self._lock:
            return [u.text for u in self.spoken]

    def clear(self) -> None:
        """Forget what was spoken."""
        with self._lock:
            self.spoken.clear()


class SimulatedSpeaker(Speaker):
    """Records utterances (text, language, route, rate, volume) instead of playing them."""

    driver: ClassVar[str] = "simulated"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        rate: int = DEFAULT_RATE,
        volume: float = 1.0,
    ) -> None:
        super().__init__(name, dispatcher, rate=rate, volume=volume)
        self.simulator = SpeakerSimulator()

    def _play(self, utterance: Utterance, cancelled: threading.Event) -> None:
        if self.simulator.fault == "no_audio_device":
            raise DeviceUnavailable("no audio device", code="speaker.no_audio_device")
        if not cancelled.is_set():
            self.simulator.record(utterance)
