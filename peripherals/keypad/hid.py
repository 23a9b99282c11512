"""Driver `keypad-hid`: a USB HID keypad read with evdev, keys mapped by `keymap`."""

from __future__ import annotations

import logging
import os
import select
import threading
from collections.abc import Mapping
from typing import Any, ClassVar

from peripherals.errors import DeviceUnavailable, MissingDependency
from peripherals.events import Dispatcher
from peripherals.keypad.base import Keypad
from peripherals.keypad.keymap import KeyMapper

# The kernel's key numbers live with the scanner, which decodes the same events.
from peripherals.scanner.keycodes import EV_KEY, KEY_CODES

log = logging.getLogger(__name__)


def key_names_for(names: list[str]) -> dict[int, str]:
    """Kernel code -> evdev name for the given names; unknown names raise `ValueError`."""
    table = dict(KEY_CODES)
    try:
        from evdev import ecodes

        table.update({n: ecodes.ecodes[n] for n in names if n in ecodes.ecodes})
    except ImportError:
        pass
    unknown = [n for n in names if n not in table]
    if unknown:
        raise ValueError(f"unknown key names in keymap: {', '.join(unknown)}")
    return {table[n]: n for n in names}


class HidKeypad(Keypad):
    """A HID keypad (usually a USB numeric keypad or a dedicated accessibility keypad).

    Options: `device` (the `/dev/input/...` path, required), `keymap` (evdev name -> Key name;
    replaces the default of `keymap.DEFAULT_KEYMAP`), `grab` (exclusive, default True, so
    key presses never type into the focused widget).
    """

    driver: ClassVar[str] = "keypad-hid"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        device: str = "",
        keymap: Mapping[str, str] | None = None,
        grab: bool = True,
    ) -> None:
        super().__init__(name, dispatcher)
        self.device = device
        self.grab = grab
        try:
            self.mapper = KeyMapper(keymap)
            self._names = key_names_for(list(self.mapper.keymap))
        except ValueError as exc:
            raise DeviceUnavailable(f"keypad-hid: {exc}", code="keypad.bad_keymap") from exc
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
            raise DeviceUnavailable("keypad-hid needs the option 'device'", code="keypad.no_device")
        try:
            self._input = self._open_input()
            if self.grab:
                self._input.grab()
        except OSError as exc:
            if self._input is not None:
                self._input.close()
                self._input = None
            raise DeviceUnavailable(
                f"cannot open {self.device} exclusively: {exc}", code="keypad.unavailable"
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
                    DeviceUnavailable(f"{self.device}: {exc}", code="keypad.disconnected")
                )
                return
            for event in events:
                if event.type == EV_KEY:
                    key = self.mapper.feed(self._names.get(event.code, ""), event.value)
                    if key is not None:
                        self._deliver(key)
