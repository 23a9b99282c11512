"""Speech recognition with vosk (Kaldi); audio from the microphone through `arecord`.

A phrase list restricts decoding only with models that carry runtime graphs
(`graph/HCLr.fst`, `graph/Gr.fst`); other models ignore it, so results are always checked against
the phrases afterwards (`matching.match_phrase`). Models load once per process (about 2 s).
"""

from __future__ import annotations

import json
import logging
import select
import shutil
import subprocess
import threading
import time
import wave
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from peripherals.errors import DeviceUnavailable, MediaError, MissingDependency
from peripherals.events import Dispatcher
from peripherals.recognizer.base import PartialHandler, Recognizer

log = logging.getLogger(__name__)

_MODELS: dict[str, Any] = {}
_MODELS_LOCK = threading.Lock()
CHUNK_BYTES = 8000
"""Quarter of a second of 16 kHz 16-bit audio: small enough for quick partial results."""


def load_model(path: str) -> Any:
    """Load (once per process) the vosk model in directory `path`."""
    try:
        import vosk
    except ImportError as exc:
        raise MissingDependency("pip install vosk") from exc
    with _MODELS_LOCK:
        if path not in _MODELS:
            if not (Path(path) / "am").is_dir():
                raise DeviceUnavailable(f"no vosk model in {path!r} (expected am/, conf/, graph/)")
            vosk.SetLogLevel(-1)
            try:
                _MODELS[path] = vosk.Model(path)
            except Exception as exc:  # vosk raises a bare Exception on a bad model
                raise DeviceUnavailable(f"cannot load vosk model {path!r}: {exc}") from exc
        return _MODELS[path]


def has_runtime_graph(path: str) -> bool:
    """Whether the model can restrict decoding to a phrase list."""
    graph = Path(path) / "graph"
    return (graph / "HCLr.fst").exists() and (graph / "Gr.fst").exists()


class VoskRecognizer(Recognizer):
    """vosk with a per-prompt grammar.

    Options: `model` (model directory, required), `device` (ALSA capture device for `arecord`),
    `sample_rate` (capture rate, 16000), `unk` (add `[unk]` to grammars so out-of-list speech is
    not forced onto a phrase; only for models whose vocabulary has it), `wav` (listen to this
    16-bit mono WAV file instead of the microphone, for tests and the service menu).
    """

    driver: ClassVar[str] = "vosk"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        model: str | None = None,
        device: str = "default",
        sample_rate: int = 16000,
        unk: bool = False,
        wav: str | None = None,
    ) -> None:
        super().__init__(name, dispatcher)
        if not model:
            raise DeviceUnavailable("the vosk recogniser needs `model` = a model directory")
        self.model_path = str(model)
        self.device = device
        self.sample_rate = sample_rate
        self.unk = unk
        self.wav = Path(wav) if wav else None
        self._model: Any = None

    def _do_open(self) -> None:
        self._model = load_model(self.model_path)
        if not has_runtime_graph(self.model_path):
            log.warning(
                "model %s has no runtime graph: phrase lists will be ignored", self.model_path
            )
        if self.wav is None and shutil.which("arecord") is None:
            raise MissingDependency("arecord not found; apt-get install alsa-utils")

    def _do_close(self) -> None:
        self._model = None

    def _decode(
        self,
        chunks: Iterable[bytes],
        sample_rate: int,
        phrases: list[str],
        on_partial: PartialHandler | None,
    ) -> str:
        import vosk

        if phrases:
            grammar = [*phrases, "[unk]"] if self.unk else phrases
            recognizer = vosk.KaldiRecognizer(
                self._model, sample_rate, json.dumps(grammar, ensure_ascii=False)
            )
        else:
            recognizer = vosk.KaldiRecognizer(self._model, sample_rate)
        last_partial = ""
        for chunk in chunks:
            if recognizer.AcceptWaveform(chunk):
                text = str(json.loads(recognizer.Result()).get("text", "")).strip()
                if text:
                    return text
            elif on_partial is not None:
                partial = str(json.loads(recognizer.PartialResult()).get("partial", "")).strip()
                if partial and partial != last_partial:
                    last_partial = partial
                    on_partial(partial)
        return str(json.loads(recognizer.FinalResult()).get("text", "")).strip()

    def _live_audio(self, timeout: float, cancel: threading.Event) -> tuple[Iterable[bytes], int]:
        if self.wav is not None:
            try:
                with wave.open(str(self.wav), "rb") as wav:
                    rate = wav.getframerate()
                    audio = wav.readframes(wav.getnframes())
            except (OSError, wave.Error, EOFError) as exc:
                raise MediaError(
                    f"cannot read {self.wav}: {exc}", code="recognizer.bad_audio"
                ) from exc
            return (audio[i : i + CHUNK_BYTES] for i in range(0, len(audio), CHUNK_BYTES)), rate
        return self._microphone(timeout, cancel), self.sample_rate

    def _microphone(self, timeout: float, cancel: threading.Event) -> Iterator[bytes]:
        command = [
            "arecord", "-q", "-D", self.device, "-f", "S16_LE", "-c", "1",
            "-r", str(self.sample_rate), "-t", "raw",
        ]  # fmt: skip
        try:
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise DeviceUnavailable(f"cannot start arecord: {exc}") from exc
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout
        try:
            while not cancel.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                ready, _, _ = select.select([proc.stdout], [], [], min(remaining, 0.25))
                if not ready:
                    continue
                chunk = proc.stdout.read1(CHUNK_BYTES)  # type: ignore[attr-defined]
                if not chunk:
                    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                    raise DeviceUnavailable(
                        f"microphone {self.device!r} failed: {err.strip()[-200:]}",
                        code="recognizer.no_microphone",
                    )
                yield chunk
        finally:
            proc.terminate()
            proc.wait(timeout=5)
