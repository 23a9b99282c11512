"""What voice mode and the voice renderer need of a speaker: a protocol, checked by mypy.

A `peripherals.speaker.Speaker` satisfies it; `NoSpeech` stands in on a kiosk without a speaker.
"""

from __future__ import annotations

from typing import Protocol

from peripherals.speaker.base import Route, Utterance


class SpeechOutput(Protocol):
    """Queued, interruptible speech and beeps with rate, volume and routing."""

    route: Route

    def speak(self, text: str, language: str = "zh_CN", *, route: Route | None = None) -> None:
        """Queue speech."""
        ...

    def tone(self, *, route: Route | None = None) -> None:
        """Queue a short beep."""
        ...

    def stop(self) -> None:
        """Stop current speech and drop what is queued."""
        ...

    def wait_idle(self, timeout: float) -> bool:
        """Wait until everything queued has been played."""
        ...

    @property
    def playing(self) -> Utterance | None:
        """The utterance being played now, if any."""
        ...

    def change_rate(self, delta: int) -> int:
        """Faster or slower speech; the new rate."""
        ...

    def change_volume(self, delta: float) -> float:
        """Louder or softer speech; the new volume."""
        ...

    def reset(self) -> None:
        """Default rate, volume and route."""
        ...


class NoSpeech:
    """The `SpeechOutput` of a kiosk without a speaker: says nothing, always idle."""

    def __init__(self) -> None:
        self.route = Route.LOUDSPEAKER

    def speak(self, text: str, language: str = "zh_CN", *, route: Route | None = None) -> None:
        """Say nothing."""

    def tone(self, *, route: Route | None = None) -> None:
        """Beep at no one."""

    def stop(self) -> None:
        """Nothing to stop."""

    def wait_idle(self, timeout: float) -> bool:
        """Always idle."""
        return True

    @property
    def playing(self) -> Utterance | None:
        """Nothing plays."""
        return None

    def change_rate(self, delta: int) -> int:
        """No rate to change."""
        return 0

    def change_volume(self, delta: float) -> float:
        """No volume to change."""
        return 0.0

    def reset(self) -> None:
        """Nothing to reset."""
        self.route = Route.LOUDSPEAKER
