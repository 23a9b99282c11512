"""Driver `keypad-hid`: a USB HID keypad read with evdev, keys mapped by `keymap`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from peripherals.errors import DeviceUnavailable
from peripherals.evdev_input import EvdevInput, open_evdev
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
        self._reader: EvdevInput | None = None

    def _open_input(self) -> Any:
        """Open the evdev input device (tests substitute a fake)."""
        return open_evdev(self.device)

    def _do_open(self) -> None:
        if not self.device:
            raise DeviceUnavailable("keypad-hid needs the option 'device'", code="keypad.no_device")
        try:
            source = self._open_input()
        except OSError as exc:
            raise DeviceUnavailable(
                f"cannot open {self.device}: {exc}", code="keypad.unavailable"
            ) from exc
        self._reader = EvdevInput(
            source, name=self.name, on_event=self._on_event, on_lost=self._on_lost, grab=self.grab
        )
        self._begin_reading()
        self._reader.start(self.device, "keypad.unavailable")

    def _do_close(self) -> None:
        if self._reader is not None:
            self._reader.stop()
            self._reader = None
        self._end_reading()

    def _on_lost(self, exc: OSError) -> None:
        self._reader_failed(DeviceUnavailable(f"{self.device}: {exc}", code="keypad.disconnected"))

    def _on_event(self, type_: int, code: int, value: int) -> None:
        if type_ == EV_KEY:
            key = self.mapper.feed(self._names.get(code, ""), value)
            if key is not None:
                self._deliver(key)
