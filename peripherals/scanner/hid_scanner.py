"""Driver `scanner-hid`: a keyboard-wedge scanner read with evdev under an exclusive grab."""

from __future__ import annotations

import logging
import os
import select
import threading
from typing import Any, ClassVar

from peripherals.errors import DeviceUnavailable, MissingDependency
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
        self._input: Any = None
        self._thread: threading.Thread | None = None
        self._wake_r = self._wake_w = -1

    def _open_input(self) -> Any:
        """Open the evdev input device (tests substitute a fake)."""
        try:
            import evdev
        except ImportError as exc:
            raise MissingDependency("pip install evdev") from exc
        return evdev.InputDevice(self.device)

    def _do_open(self) -> None:
        if not self.device:
            raise DeviceUnavailable("scanner-hid needs the option 'device'", code="scanner.no_port")
        try:
            self._input = self._open_input()
            if self.grab:
                self._input.grab()
        except OSError as exc:
            if self._input is not None:
                self._input.close()
                self._input = None
            raise DeviceUnavailable(
                f"cannot open {self.device} exclusively: {exc}", code="scanner.port_unavailable"
            ) from exc
        self._begin_reading()
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-reader", daemon=True)
        self._thread.start()

    def _do_close(self) -> None:
        if self._thread is not None:
            os.write(self._wake_w, b"x")
            self._thread.join(timeout=2)
            self._thread = None
            os.close(self._wake_r)
            os.close(self._wake_w)
        self._end_reading()
        if self._input is not None:
            try:
                if self.grab:
                    self._input.ungrab()
            except OSError:
                pass  # the device may already be gone
            self._input.close()
            self._input = None

    def _run(self) -> None:
        decoder = KeyBurstDecoder()
        source = self._input
        while True:
            ready, _, _ = select.select([source.fileno(), self._wake_r], [], [])
            if self._wake_r in ready:
                return
            try:
                events = list(source.read())
            except BlockingIOError:
                continue
            except OSError as exc:  # unplugged
                self._reader_failed(
                    DeviceUnavailable(f"{self.device}: {exc}", code="scanner.disconnected")
                )
                return
            for event in events:
                if event.type != EV_KEY:
                    continue
                code = decoder.feed(KEY_NAMES.get(event.code, ""), event.value)
                if code is not None:
                    self._deliver(code)
