"""Voice mode: started by the VOICE key or a headset plug, ended (and reset) with the session.

`VoiceMode.handle` is the device-event handler the kiosk gives its dispatcher (on the asyncio
loop, e.g. `AsyncioDispatcher(loop, mode.handle)`): the VOICE key and a headset plug start voice
mode, the plug also routes speech to the headset, an unplug cuts speech off at once (it must not
go on over the loudspeaker mid-sentence) and every key press is passed on to `KeyEvents`, which
the voice renderer reads.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from kiosk.voice.output import SpeechOutput
from peripherals.events import DeviceEvent, EventType
from peripherals.headset.base import Headset
from peripherals.keypad.keys import Key
from peripherals.speaker.base import Route

log = logging.getLogger(__name__)


class KeyEvents:
    """Key presses for the voice renderer, fed from `KEY_PRESSED` events on the loop thread."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Key] = asyncio.Queue()

    def handle(self, event: DeviceEvent) -> None:
        """Take a `KEY_PRESSED` event (other events are ignored)."""
        if event.type is not EventType.KEY_PRESSED:
            return
        try:
            key = Key.parse(str(event.data.get("key", "")))
        except ValueError:
            log.warning("ignoring a press of an unknown key from %s", event.device)
            return
        self.put(key)

    def put(self, key: Key) -> None:
        """Queue a key (on the loop thread)."""
        self._queue.put_nowait(key)

    async def get(self) -> Key:
        """The next key pressed."""
        return await self._queue.get()

    def clear(self) -> None:
        """Forget keys not read yet (a new question starts)."""
        while not self._queue.empty():
            self._queue.get_nowait()


class VoiceMode:
    """Whether the kiosk is speaking to the resident, and where (loudspeaker or headset)."""

    def __init__(
        self,
        speaker: SpeechOutput,
        headset: Headset | None = None,
        *,
        keys: KeyEvents | None = None,
        on_start: Callable[[str], None] | None = None,
    ) -> None:
        self.speaker = speaker
        self.headset = headset
        self.keys = keys
        self.on_start = on_start
        """Called with the reason (`key` or `headset`) when voice mode starts."""
        self.active = False

    def private(self) -> bool:
        """Whether speech is private now: a headset is plugged in."""
        return self.headset is not None and self.headset.plugged()

    def start(self, reason: str = "key") -> None:
        """Start voice mode (again: routes speech to the headset if one is plugged in)."""
        private = reason == "headset" or self.private()
        self.speaker.route = Route.HEADSET if private else Route.LOUDSPEAKER
        started = not self.active
        self.active = True
        if started:
            log.info("voice mode started (%s, %s)", reason, self.speaker.route)
            if self.on_start is not None:
                self.on_start(reason)

    def end(self) -> None:
        """End voice mode with the session: default volume, rate and route; speech stopped."""
        self.speaker.reset()
        if self.keys is not None:
            self.keys.clear()
        if self.active:
            log.info("voice mode ended")
        self.active = False

    def handle(self, event: DeviceEvent) -> None:
        """React to a device event (call on the loop thread)."""
        if event.type is EventType.HEADSET:
            if event.data.get("plugged"):
                self.start("headset")
            else:
                # Whatever was being said privately must not continue on the loudspeaker.
                self.speaker.stop()
                self.speaker.route = Route.LOUDSPEAKER
            return
        if event.type is EventType.KEY_PRESSED:
            if event.data.get("key") == Key.VOICE.value:
                self.start("key")
            if self.keys is not None:
                self.keys.handle(event)
