"""The code scanner: codes arrive on a driver thread; `read_code` waits for the next one."""

from __future__ import annotations

import logging
from typing import ClassVar

from peripherals.device import Device
from peripherals.errors import DeviceTimeout, PeripheralError
from peripherals.events import Dispatcher, EventType
from peripherals.input_queue import InputQueue
from peripherals.status import Health

log = logging.getLogger(__name__)

_PENDING_LIMIT = 16


class CodeScanner(Device):
    """A barcode / QR scanner.

    Every code is posted as a `CODE_SCANNED` event (`code=...`) and queued for `read_code`.
    Drivers run a reader thread that calls `_deliver(code)` and `_reader_failed(error)`.
    """

    kind: ClassVar[str] = "scanner"

    def __init__(self, name: str | None = None, dispatcher: Dispatcher | None = None) -> None:
        super().__init__(name, dispatcher)
        self._codes: InputQueue[str] = InputQueue(self.name, _PENDING_LIMIT)

    def read_code(self, timeout: float = 30.0, *, discard_pending: bool = True) -> str:
        """Wait up to `timeout` s for a code and return it.

        Codes scanned before the call are discarded unless `discard_pending` is False, so one
        resident's code never reaches the next session. Raises `DeviceTimeout`
        (`scanner.no_code`) when nothing is scanned, `DeviceUnavailable` if the scanner is gone.
        """
        self._require_open()
        if discard_pending:
            self.clear_pending()
        nothing = DeviceTimeout(f"no code scanned within {timeout:g} s", code="scanner.no_code")
        return self._codes.get(timeout, nothing)

    def clear_pending(self) -> None:
        """Forget codes scanned but not yet read."""
        self._codes.clear()

    def _deliver(self, code: str) -> None:
        """Driver side: a code was scanned (call from the reader thread)."""
        self._codes.put(code)
        # Codes may carry personal data (health codes, pickup codes): log their size only.
        log.info("%s scanned a code of %d characters", self.name, len(code))
        self.emit(EventType.CODE_SCANNED, code=code)

    def _reader_failed(self, error: PeripheralError) -> None:
        """Driver side: the reader thread stopped because of `error`."""
        log.warning("%s stopped reading: %s", self.name, error)
        self._codes.fail(error)

    def _begin_reading(self) -> None:
        """Driver side: call at the start of `_do_open` (forgets old codes and failures)."""
        self._codes.begin()

    def _end_reading(self) -> None:
        """Driver side: call in `_do_close`; a waiting `read_code` raises `DeviceUnavailable`."""
        self._codes.end()

    def _check_health(self) -> Health:
        return self._codes.health()
