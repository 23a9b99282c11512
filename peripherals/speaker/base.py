"""The speaker: queued, interruptible speech with rate, volume and audio routing."""

from __future__ import annotations

import abc
import enum
import logging
import queue
import threading
from dataclasses import dataclass
from typing import ClassVar

from peripherals.device import Device
from peripherals.errors import PeripheralError
from peripherals.events import Dispatcher
from peripherals.status import Health, State

log = logging.getLogger(__name__)

DEFAULT_RATE = 170
"""Words per minute; elder-friendly speech is a little slower than espeak-ng's 175."""
MIN_RATE, MAX_RATE = 80, 320


class Route(enum.StrEnum):
    """Where speech is heard: the public loudspeaker or the resident's private headset."""

    LOUDSPEAKER = "loudspeaker"
    HEADSET = "headset"


@dataclass(frozen=True)
class Utterance:
    """One piece of speech as it was (or would be) played."""

    text: str
    language: str
    route: Route
    rate: int
    volume: float
    tone: bool = False
    """A beep instead of speech (`text` is empty): secrets are acknowledged this way."""


class Speaker(Device):
    """Speaks text on a worker thread so callers never block; any new `stop()` cuts speech off.

    Drivers implement `_play(utterance, cancelled)`, which must return promptly once
    `cancelled` is set, and may implement `synthesize()` for callers that want the audio.
    """

    kind: ClassVar[str] = "speaker"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        rate: int = DEFAULT_RATE,
        volume: float = 1.0,
    ) -> None:
        super().__init__(name, dispatcher)
        self.default_rate = _clamp_rate(rate)
        self.default_volume = _clamp_volume(volume)
        self.rate = self.default_rate
        self.volume = self.default_volume
        self.route = Route.LOUDSPEAKER
        self._queue: queue.Queue[tuple[int, Utterance] | None] = queue.Queue()
        self._cancel = threading.Event()
        # stop() moves to a new generation: utterances queued before it are never played,
        # even one the worker had already taken off the queue.
        self._generation = 0
        self._playing = False
        self._now: Utterance | None = None
        self._state = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._worker: threading.Thread | None = None
        self._last_error: PeripheralError | None = None

    def speak(self, text: str, language: str = "zh_CN", *, route: Route | None = None) -> None:
        """Queue text to be spoken after what is already queued."""
        self._require_open()
        if not text.strip():
            return
        self._enqueue(Utterance(text, language, route or self.route, self.rate, self.volume))

    def tone(self, *, route: Route | None = None) -> None:
        """Queue a short beep (a keypress in a secret, which must never be spoken)."""
        self._require_open()
        self._enqueue(Utterance("", "", route or self.route, self.rate, self.volume, tone=True))

    def _enqueue(self, utterance: Utterance) -> None:
        with self._state:
            self._idle.clear()
            generation = self._generation
        self._queue.put((generation, utterance))

    def interrupt(self, text: str, language: str = "zh_CN", *, route: Route | None = None) -> None:
        """Stop whatever is being said and say this instead."""
        self.stop()
        self.speak(text, language, route=route)

    def stop(self) -> None:
        """Stop current speech and drop everything queued."""
        with self._state:
            self._generation += 1
            self._cancel.set()
            while True:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
            if not self._playing:
                self._idle.set()
        self._stop_playback()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until everything queued has been spoken; False on timeout."""
        return self._idle.wait(timeout)

    @property
    def playing(self) -> Utterance | None:
        """The utterance being played now, if any (a paused prompt resumes from it)."""
        with self._state:
            return self._now

    def change_rate(self, delta: int) -> int:
        """Make speech faster (positive) or slower; returns the new rate."""
        self.rate = _clamp_rate(self.rate + delta)
        return self.rate

    def change_volume(self, delta: float) -> float:
        """Make speech louder (positive) or softer; returns the new volume."""
        self.volume = _clamp_volume(self.volume + delta)
        return self.volume

    def set_default_volume(self, volume: float) -> None:
        """The volume every session starts with (0–1), from now on."""
        self.default_volume = self.volume = _clamp_volume(volume)

    def reset(self) -> None:
        """Back to the default rate, volume and the loudspeaker (at the end of a session)."""
        self.stop()
        self.rate = self.default_rate
        self.volume = self.default_volume
        self.route = Route.LOUDSPEAKER

    def synthesize(self, text: str, language: str = "zh_CN") -> bytes:
        """Return the speech as a WAV file's bytes (drivers that synthesise audio)."""
        raise PeripheralError(f"{self.driver} does not synthesise audio", code="speaker.no_audio")

    def _do_open(self) -> None:
        self._open_output()
        self._cancel.clear()
        self._worker = threading.Thread(target=self._run, name=f"{self.name}-speech", daemon=True)
        self._worker.start()

    def _do_close(self) -> None:
        self.stop()
        self._queue.put(None)
        if self._worker is not None:
            self._worker.join(timeout=5)
            self._worker = None
        self._close_output()

    def _check_health(self) -> Health:
        if self._last_error is not None:
            return Health(State.HARDWARE_ERROR, self._last_error.code, str(self._last_error))
        return Health(State.ONLINE)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                self._idle.set()
                return
            generation, utterance = item
            with self._state:
                if generation != self._generation:
                    continue
                self._playing = True
                self._now = utterance
                self._cancel.clear()
            try:
                self._play(utterance, self._cancel)
                self._last_error = None
            except PeripheralError as exc:
                log.warning("speech failed: %s", exc.code)
                self._last_error = exc
            finally:
                with self._state:
                    self._playing = False
                    self._now = None
                    if self._queue.empty():
                        self._idle.set()

    def _open_output(self) -> None:
        """Driver hook: prepare the audio output (default: nothing)."""

    def _close_output(self) -> None:
        """Driver hook: release the audio output (default: nothing)."""

    def _stop_playback(self) -> None:
        """Driver hook: cut off the sound being played now (default: nothing)."""

    @abc.abstractmethod
    def _play(self, utterance: Utterance, cancelled: threading.Event) -> None:
        """Driver hook: synthesise and play one utterance unless `cancelled` gets set."""


def _clamp_rate(rate: int) -> int:
    return max(MIN_RATE, min(MAX_RATE, int(rate)))


def _clamp_volume(volume: float) -> float:
    return max(0.0, min(1.0, float(volume)))
