"""Driver `scanner-hid`: a keyboard-wedge scanner read with evdev under an exclusive grab."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from peripherals.errors import DeviceUnavailable
from peripherals.evdev_input import EvdevInput, open_evdev
from peripherals.events import Dispatcher
from peripherals.scanner.base import CodeScanner
from peripherals.scanner.keyburst import KeyBurstDecoder
from peripherals.scanner.keycodes import EV_KEY, KEY_NAMES

log = logging.getLogger(__name__)


class HidCodeScanner(CodeScanner):
    """A scanner that types its codes as key presses (US layout; Enter ends a code).

    Options: `device` (the `/dev/input/event*` or `/dev/input/by-id/...` path, required),
    `grab` (take the device exclusively so codes never reach the focused widget, default True).
    Keyboard wedges cannot type Chinese reliably: use a CDC scanner for Chinese QR content.
    """

    driver: ClassVar[str] = "scanner-hid"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        device: str = "",
        grab: bool = True,
    ) -> None:
        super().__init__(name, dispatcher)
        self.device = device
        self.grab = grab
        self._reader: EvdevInput | None = None
        self._decoder = KeyBurstDecoder()

    def _open_input(self) -> Any:
        """Open the evdev input device (tests substitute a fake)."""
        return open_evdev(self.device)

    def _do_open(self) -> None:
        if not self.device:
            raise DeviceUnavailable("scanner-hid needs the option 'device'", code="scanner.no_port")
        try:
            source = self._open_input()
        except OSError as exc:
            raise DeviceUnavailable(
                f"cannot open {self.device}: {exc}", code="scanner.port_unavailable"
            ) from exc
        self._decoder = KeyBurstDecoder()
        self._reader = EvdevInput(
            source, name=self.name, on_event=self._on_event, on_lost=self._on_lost, grab=self.grab
        )
        self._begin_reading()
        self._reader.start(self.device, "scanner.port_unavailable")

    def _do_close(self) -> None:
        if self._reader is not None:
            self._reader.stop()
            self._reader = None
        self._end_reading()

    def _on_lost(self, exc: OSError) -> None:
        self._reader_failed(DeviceUnavailable(f"{self.device}: {exc}", code="scanner.disconnected"))

    def _on_event(self, type_: int, code: int, value: int) -> None:
        if type_ != EV_KEY:
            return
        scanned = self._decoder.feed(KEY_NAMES.get(code, ""), value)
        if scanned is not None:
            self._deliver(scanned)
