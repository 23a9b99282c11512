"""The keypad and voice answering path of the kiosk: always listening to the keypad, speaking only
in voice mode.

Every screen can be answered from the tactile keypad (the `VoiceRenderer`'s key map), whether or
not the resident asked for speech. Speech starts with voice mode (the VOICE key or a headset
plug) and stops when voice mode ends with the session; until then the speaker stays silent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.voice.mode import KeyEvents, VoiceMode
from kiosk.voice.renderer import VoiceRenderer
from peripherals.errors import PeripheralError
from peripherals.headset.base import Headset
from peripherals.hub import Hub
from peripherals.keypad.keys import Key
from peripherals.recognizer.base import Recognizer
from peripherals.speaker.base import Route, Speaker

log = logging.getLogger(__name__)


class VoiceOutput:
    """The configured speaker as the voice renderer sees it: silent unless `active()`.

    Without a speaker device it is always silent (the keypad still answers every prompt).
    """

    def __init__(self, speaker: Speaker | None, active: Callable[[], bool]) -> None:
        self.speaker = speaker
        self._active = active
        self._route = Route.LOUDSPEAKER

    @property
    def route(self) -> Route:
        """Where speech goes now."""
        return self.speaker.route if self.speaker is not None else self._route

    @route.setter
    def route(self, route: Route) -> None:
        if self.speaker is not None:
            self.speaker.route = route
        self._route = route

    def speak(self, text: str, language: str = "zh_CN", *, route: Route | None = None) -> None:
        """Queue speech, in voice mode only."""
        if self.speaker is None or not self._active():
            return
        self.speaker.speak(text, language, route=route)

    def tone(self, *, route: Route | None = None) -> None:
        """Queue a beep (a key in a secret), in voice mode only."""
        if self.speaker is None or not self._active():
            return
        self.speaker.tone(route=route)

    def stop(self) -> None:
        """Stop current speech."""
        if self.speaker is not None:
            self.speaker.stop()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until everything queued has been spoken."""
        return True if self.speaker is None else self.speaker.wait_idle(timeout)

    def change_rate(self, delta: int) -> int:
        """Faster or slower speech; returns the new rate."""
        return 0 if self.speaker is None else self.speaker.change_rate(delta)

    def change_volume(self, delta: float) -> float:
        """Louder or softer speech; returns the new volume."""
        return 0.0 if self.speaker is None else self.speaker.change_volume(delta)

    def reset(self) -> None:
        """Default rate, volume and route; speech stopped."""
        self._route = Route.LOUDSPEAKER
        if self.speaker is not None:
            try:
                self.speaker.reset()
            except PeripheralError as exc:
                log.warning("could not reset the speaker: %s", exc.code)


@dataclass
class VoicePath:
    """The parts of the keypad/voice path: key queue, voice mode and the renderer."""

    keys: KeyEvents
    mode: VoiceMode
    renderer: VoiceRenderer
    output: VoiceOutput


def build_voice_path(hub: Hub, on_start: Callable[[str], None] | None = None) -> VoicePath:
    """Wire the hub's speaker, headset, recogniser and keypad into a `VoicePath`.

    Call on the asyncio loop's thread (the key queue belongs to that loop).
    """
    speaker = hub.by_kind("speaker")
    headset = hub.by_kind("headset")
    recognizer = hub.by_kind("recognizer")
    keys = KeyEvents()
    holder: list[VoiceMode] = []
    output = VoiceOutput(
        speaker if isinstance(speaker, Speaker) else None,
        active=lambda: bool(holder) and holder[0].active,
    )

    def started(reason: str) -> None:
        if reason == "headset":
            # The prompt on screen was spoken to no one: say it again, now that someone listens.
            keys.put(Key.REPEAT)
        if on_start is not None:
            on_start(reason)

    mode = VoiceMode(
        output,
        headset if isinstance(headset, Headset) else None,
        keys=keys,
        on_start=started,
    )
    holder.append(mode)
    renderer = VoiceRenderer(
        output,
        keys,
        recognizer if isinstance(recognizer, Recognizer) else None,
        private=mode.private,
    )
    return VoicePath(keys, mode, renderer, output)
