"""The headset jack sensor: reports whether a headset is plugged in, with events on change."""

from __future__ import annotations

import threading
from typing import ClassVar

from peripherals.device import Device
from peripherals.events import Dispatcher, EventType


class Headset(Device):
    """A jack sensor; drivers call `_set_plugged` whenever they learn the jack's state."""

    kind: ClassVar[str] = "headset"

    def __init__(self, name: str | None = None, dispatcher: Dispatcher | None = None) -> None:
        super().__init__(name, dispatcher)
        self._plugged = False
        self._state_lock = threading.Lock()

    def plugged(self) -> bool:
        """Whether a headset is plugged in now."""
        return self._plugged

    def _set_plugged(self, plugged: bool) -> None:
        with self._state_lock:
            changed = plugged != self._plugged
            self._plugged = plugged
        if changed:
            self.emit(EventType.HEADSET, plugged=plugged)
