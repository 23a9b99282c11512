"""The keypad: presses arrive on a driver thread as events; `read_key` waits for the next."""

from __future__ import annotations

import logging
from typing import ClassVar

from peripherals.device import Device
from peripherals.errors import DeviceTimeout, PeripheralError
from peripherals.events import Dispatcher, EventType
from peripherals.input_queue import InputQueue
from peripherals.keypad.keys import Key
from peripherals.status import Health

__all__ = ["Key", "Keypad"]

log = logging.getLogger(__name__)

_PENDING_LIMIT = 64


class Keypad(Device):
    """The accessibility keypad.

    Every press is posted as `KEY_PRESSED` (`key=<Key value>`) and queued for `read_key`.
    Presses are not discarded between calls (residents type numbers quickly); call
    `clear_pending()` when a new question starts.
    """

    kind: ClassVar[str] = "keypad"

    def __init__(self, name: str | None = None, dispatcher: Dispatcher | None = None) -> None:
        super().__init__(name, dispatcher)
        self._keys: InputQueue[Key] = InputQueue(self.name, _PENDING_LIMIT)

    def read_key(self, timeout: float = 30.0) -> Key:
        """The next key pressed, waiting up to `timeout` s (`DeviceTimeout` `keypad.no_key`)."""
        self._require_open()
        nothing = DeviceTimeout(f"no key pressed within {timeout:g} s", code="keypad.no_key")
        return self._keys.get(timeout, nothing)

    def clear_pending(self) -> None:
        """Forget presses not read yet."""
        self._keys.clear()

    def _deliver(self, key: Key) -> None:
        """Driver side: a key was pressed (call from the reader thread)."""
        self._keys.put(key)
        # Digits may be a PIN or phone number being typed: never log which key it was.
        log.debug("%s key press", self.name)
        self.emit(EventType.KEY_PRESSED, key=key.value)

    def _begin_reading(self) -> None:
        """Driver side: call at the start of `_do_open`."""
        self._keys.begin()

    def _end_reading(self) -> None:
        """Driver side: call in `_do_close`; a waiting `read_key` raises `DeviceUnavailable`."""
        self._keys.end()

    def _reader_failed(self, error: PeripheralError) -> None:
        """Driver side: the reader thread stopped because of `error`."""
        log.warning("%s stopped reading: %s", self.name, error)
        self._keys.fail(error)

    def _check_health(self) -> Health:
        return self._keys.health()
