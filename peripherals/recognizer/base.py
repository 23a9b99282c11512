"""The speech recogniser: listens for one answer, checked against the prompt's phrases."""

from __future__ import annotations

import abc
import threading
import wave
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from peripherals.device import Device
from peripherals.errors import MediaError
from peripherals.events import Dispatcher
from peripherals.recognizer.matching import match_phrase

PartialHandler = Callable[[str], None]


@dataclass(frozen=True)
class Recognition:
    """What was heard (`text`) and which of the offered phrases it means (`phrase`, or None)."""

    text: str
    phrase: str | None = None


class Recognizer(Device):
    """Recognises speech from the live source (`listen`) or from audio given to it.

    Drivers implement `_decode(chunks, sample_rate, phrases, on_partial)` and `_live_audio`.
    """

    kind: ClassVar[str] = "recognizer"

    def __init__(self, name: str | None = None, dispatcher: Dispatcher | None = None) -> None:
        super().__init__(name, dispatcher)
        self._cancel = threading.Event()

    def listen(
        self,
        phrases: Sequence[str],
        timeout: float,
        on_partial: PartialHandler | None = None,
    ) -> Recognition:
        """Listen for one utterance (at most `timeout` s); empty text when nothing was said."""
        self._require_open()
        try:
            chunks, rate = self._live_audio(timeout, self._cancel)
            return self.recognize(chunks, rate, phrases, on_partial)
        finally:
            # Cleared at the end, not the start: a cancel() racing the start still counts.
            self._cancel.clear()

    def cancel(self) -> None:
        """Stop the current (or the next starting) listen, e.g. the resident touched first."""
        self._cancel.set()

    def recognize(
        self,
        chunks: Iterable[bytes],
        sample_rate: int,
        phrases: Sequence[str] | None = None,
        on_partial: PartialHandler | None = None,
    ) -> Recognition:
        """Recognise 16-bit mono PCM audio; `phrases` restrict and are checked afterwards."""
        self._require_open()
        text = self._decode(chunks, sample_rate, list(phrases or ()), on_partial)
        return Recognition(text, match_phrase(text, phrases) if phrases else None)

    def recognize_wav(self, path: Path, phrases: Sequence[str] | None = None) -> Recognition:
        """Recognise a 16-bit mono WAV file."""
        try:
            with wave.open(str(path), "rb") as wav:
                if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
                    raise MediaError(f"{path}: need 16-bit mono audio", code="recognizer.bad_audio")
                rate = wav.getframerate()
                audio = wav.readframes(wav.getnframes())
        except (OSError, wave.Error, EOFError) as exc:
            raise MediaError(
                f"{path}: cannot read audio: {exc}", code="recognizer.bad_audio"
            ) from exc
        step = 8000
        return self.recognize(
            (audio[i : i + step] for i in range(0, len(audio), step)), rate, phrases
        )

    @abc.abstractmethod
    def _decode(
        self,
        chunks: Iterable[bytes],
        sample_rate: int,
        phrases: list[str],
        on_partial: PartialHandler | None,
    ) -> str:
        """Driver hook: the text recognised in the audio."""

    @abc.abstractmethod
    def _live_audio(self, timeout: float, cancel: threading.Event) -> tuple[Iterable[bytes], int]:
        """Driver hook: audio chunks from the live source for at most `timeout` s, and the rate."""
