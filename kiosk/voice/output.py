"""What voice mode and the voice renderer need of a speaker: a protocol, checked by mypy.

A `peripherals.speaker.Speaker` satisfies it, and so does the touch kiosk's `VoiceOutput`, which
stays silent outside voice mode.
"""

from __future__ import annotations

from typing import Protocol

from peripherals.speaker.base import Route


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

    def change_rate(self, delta: int) -> int:
        """Faster or slower speech; the new rate."""
        ...

    def change_volume(self, delta: float) -> float:
        """Louder or softer speech; the new volume."""
        ...

    def reset(self) -> None:
        """Default rate, volume and route."""
        ...
