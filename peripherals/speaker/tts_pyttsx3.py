"""Speech with pyttsx3 over espeak-ng, working around its known Linux faults.

- pyttsx3's espeak driver `print`s "Audio saved to ..." on stdout, which would corrupt the CLI's
  JSON output: its module-level `print` is silenced.
- `runAndWait()` can return before the WAV is complete: we wait for the finished-utterance
  callback and check that the file's header and data agree before using it.
- `say()` after `save_to_file()` overwrites that file, and `say()` shells out to `aplay` with no
  device choice: we never call `say()`; we synthesise to a private temporary file and play it
  ourselves with `aplay -D <device>`, so speech can be routed and interrupted.
- The engine is a process-wide singleton and not thread-safe: one lock serialises synthesis.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import threading
import wave
from pathlib import Path
from typing import Any, ClassVar

from peripherals.errors import DeviceFault, DeviceTimeout, DeviceUnavailable, MissingDependency
from peripherals.events import Dispatcher
from peripherals.speaker.base import DEFAULT_RATE, Route, Speaker, Utterance
from peripherals.speaker.tones import beep

log = logging.getLogger(__name__)

DEFAULT_VOICES = {"zh_CN": "sit/cmn-Latn-pinyin", "en": "gmw/en"}
"""espeak-ng voice ids per kiosk language (Mandarin and British English)."""

_ENGINE_LOCK = threading.Lock()
_SYNTH_TIMEOUT = 30.0


def _silence(*_args: object, **_kwargs: object) -> None:
    """Replacement for pyttsx3's stray prints."""


def _engine() -> Any:
    try:
        import pyttsx3
        import pyttsx3.drivers.espeak as espeak_driver
    except ImportError as exc:
        raise MissingDependency("pip install pyttsx3; apt-get install espeak-ng") from exc
    espeak_driver.print = _silence
    try:
        return pyttsx3.init("espeak")
    except (OSError, RuntimeError) as exc:
        raise MissingDependency(
            f"espeak-ng is not usable ({exc}); apt-get install espeak-ng"
        ) from exc


def _complete_wav(path: Path) -> bytes:
    """The WAV's bytes once its header matches its data (pyttsx3 may still be writing)."""
    data = path.read_bytes()
    try:
        with wave.open(str(path), "rb") as wav:
            expected = wav.getnframes() * wav.getsampwidth() * wav.getnchannels()
    except (wave.Error, EOFError) as exc:
        raise DeviceFault(
            f"speech synthesis wrote a broken file: {exc}", code="speaker.synthesis"
        ) from exc
    if len(data) < 44 + expected:
        raise DeviceFault("speech synthesis wrote a truncated file", code="speaker.synthesis")
    return data


class Pyttsx3Speaker(Speaker):
    """pyttsx3 + espeak-ng; plays with `player` (aplay) on an ALSA device chosen per route.

    Options: `loudspeaker` and `headset` (ALSA device names), `voices` (language → espeak-ng
    voice id), `rate` (words per minute), `volume` (0–1), `player` (default `aplay`),
    and `record_dir` (write each utterance there as a WAV instead of playing it).
    """

    driver: ClassVar[str] = "pyttsx3"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        loudspeaker: str = "default",
        headset: str = "default",
        voices: dict[str, str] | None = None,
        rate: int = DEFAULT_RATE,
        volume: float = 1.0,
        player: str = "aplay",
        record_dir: str | None = None,
    ) -> None:
        super().__init__(name, dispatcher, rate=rate, volume=volume)
        self.devices = {Route.LOUDSPEAKER: loudspeaker, Route.HEADSET: headset}
        self.voices = {**DEFAULT_VOICES, **(voices or {})}
        self.player = player
        self.record_dir = Path(record_dir) if record_dir else None
        self._count = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._proc_lock = threading.Lock()

    def synthesize(self, text: str, language: str = "zh_CN") -> bytes:
        """Synthesise text to WAV bytes (22.05 kHz mono) in the language's voice."""
        return self._synthesize(text, language, self.rate, self.volume)

    def _synthesize(self, text: str, language: str, rate: int, volume: float) -> bytes:
        voice = self.voices.get(language) or self.voices["zh_CN"]
        with _ENGINE_LOCK, tempfile.TemporaryDirectory(prefix="kiosk-tts-") as tmp:
            engine = _engine()
            done = threading.Event()
            token = engine.connect("finished-utterance", lambda name, completed: done.set())
            try:
                engine.setProperty("voice", voice)
                engine.setProperty("rate", rate)
                engine.setProperty("volume", volume)
                path = Path(tmp) / "speech.wav"
                engine.save_to_file(text, str(path))
                engine.runAndWait()
                if not done.wait(_SYNTH_TIMEOUT):
                    raise DeviceTimeout("speech synthesis did not finish", code="speaker.timeout")
                return _complete_wav(path)
            finally:
                engine.disconnect(token)

    def _open_output(self) -> None:
        _engine()
        if self.record_dir is not None:
            self.record_dir.mkdir(parents=True, exist_ok=True)
        elif shutil.which(self.player) is None:
            raise MissingDependency(f"{self.player} not found; apt-get install alsa-utils")

    def _play(self, utterance: Utterance, cancelled: threading.Event) -> None:
        if utterance.tone:
            audio = beep(volume=utterance.volume)
        else:
            audio = self._synthesize(
                utterance.text, utterance.language, utterance.rate, utterance.volume
            )
        if cancelled.is_set():
            return
        if self.record_dir is not None:
            self._count += 1
            what = "tone" if utterance.tone else utterance.language
            stem = f"{self._count:04d}-{utterance.route}-{what}"
            target = self.record_dir / f"{stem}.wav"
            target.write_bytes(audio)
            return
        with tempfile.NamedTemporaryFile(prefix="kiosk-tts-", suffix=".wav") as file:
            file.write(audio)
            file.flush()
            command = [self.player, "-q", "-D", self.devices[utterance.route], file.name]
            with self._proc_lock:
                if cancelled.is_set():
                    return
                try:
                    self._proc = subprocess.Popen(command, stderr=subprocess.PIPE)
                except OSError as exc:
                    raise DeviceUnavailable(f"cannot start {self.player}: {exc}") from exc
            proc = self._proc
            _, err = proc.communicate()
            with self._proc_lock:
                self._proc = None
            if proc.returncode not in (0, -15) and not cancelled.is_set():
                detail = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
                raise DeviceUnavailable(
                    f"audio output {self.devices[utterance.route]!r} failed: {detail[0]}",
                    code="speaker.no_audio_device",
                )

    def _stop_playback(self) -> None:
        with self._proc_lock:
            if self._proc is not None and self._proc.poll() is None:
                self._proc.terminate()
