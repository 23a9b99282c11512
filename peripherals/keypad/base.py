"""The keypad: presses arrive on a driver thread as events; `read_key` waits for the next."""

from __future__ import annotations

import logging
import queue
import time
from typing import ClassVar

from peripherals.device import Device
from peripherals.errors import DeviceTimeout, DeviceUnavailable, PeripheralError
from peripherals.events import Dispatcher, EventType
from peripherals.keypad.keys import Key
from peripherals.status import Health, State

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
        self._keys: queue.Queue[Key | None] = queue.Queue()
        self._failure: PeripheralError | None = None
        self._stopped = False

    def read_key(self, timeout: float = 30.0) -> Key:
        """The next key pressed, waiting up to `timeout` s (`DeviceTimeout` `keypad.no_key`)."""
        self._require_open()
        deadline = time.monotonic() + timeout
        while True:
            if self._failure is not None:
                raise self._failure
            if self._stopped:
                raise DeviceUnavailable(f"{self.name} was closed", code="device.closed")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DeviceTimeout(f"no key pressed within {timeout:g} s", code="keypad.no_key")
            try:
                key = self._keys.get(timeout=remaining)
            except queue.Empty:
                continue
            if key is not None:
                return key

    def clear_pending(self) -> None:
        """Forget presses not read yet."""
        while True:
            try:
                self._keys.get_nowait()
            except queue.Empty:
                return

    def _deliver(self, key: Key) -> None:
        """Driver side: a key was pressed (call from the reader thread)."""
        while self._keys.qsize() >= _PENDING_LIMIT:
            self._keys.get_nowait()
        self._keys.put(key)
        # Digits may be a PIN or phone number being typed: never log which key it was.
        log.debug("%s key press", self.name)
        self.emit(EventType.KEY_PRESSED, key=key.value)

    def _begin_reading(self) -> None:
        """Driver side: call at the start of `_do_open`."""
        self._failure = None
        self._stopped = False
        self.clear_pending()

    def _end_reading(self) -> None:
        """Driver side: call in `_do_close`; a waiting `read_key` raises `DeviceUnavailable`."""
        self._stopped = True
        self._keys.put(None)

    def _reader_failed(self, error: PeripheralError) -> None:
        """Driver side: the reader thread stopped because of `error`."""
        log.warning("%s stopped reading: %s", self.name, error)
        self._failure = error
        self._keys.put(None)

    def _check_health(self) -> Health:
        if self._failure is not None:
            return Health(State.NO_DEVICE, self._failure.code, str(self._failure))
        return Health(State.ONLINE)
