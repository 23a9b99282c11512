"""Driver `simulated`: presses enter as key events and go through the same key map."""

from __future__ import annotations

import queue
import threading
from collections.abc import Mapping
from typing import ClassVar

from peripherals.errors import DeviceUnavailable
from peripherals.events import Dispatcher
from peripherals.keypad.base import Keypad
from peripherals.keypad.keymap import KeyMapper
from peripherals.keypad.keys import Key

FAULTS = frozenset({"unplugged"})
"""Faults `fail()` accepts: `unplugged` makes the driver lose the device."""

_UNPLUG = ("", -1)


class KeypadSimulator:
    """The keypad side: `press(key)` sends the press and release a real keypad would."""

    def __init__(self, mapper: KeyMapper) -> None:
        self._mapper = mapper
        self.events: queue.Queue[tuple[str, int]] = queue.Queue()
        self.fault: str | None = None

    def press(self, key: Key | str) -> None:
        """Press and release the physical key mapped to `key` (a Key, its name or value)."""
        name = self._mapper.name_for(Key.parse(key))
        self.press_raw(name)

    def press_raw(self, name: str) -> None:
        """Press and release a key by evdev name, mapped or not."""
        if self.fault == "unplugged":
            return
        self.events.put((name, 1))
        self.events.put((name, 0))

    def fail(self, fault: str | None) -> None:
        """Inject a fault from `FAULTS`, or clear it with None (takes effect at the next open)."""
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(sorted(FAULTS))}")
        self.fault = fault
        if fault == "unplugged":
            self.events.put(_UNPLUG)


class SimulatedKeypad(Keypad):
    """A keypad fed by `.simulator`; option `keymap` as for `keypad-hid`."""

    driver: ClassVar[str] = "simulated"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(name, dispatcher)
        try:
            self.mapper = KeyMapper(keymap)
        except ValueError as exc:
            raise DeviceUnavailable(f"keypad: {exc}", code="keypad.bad_keymap") from exc
        self.simulator = KeypadSimulator(self.mapper)
        """The simulated keypad: `press(...)` and `fail(...)` here."""
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def _do_open(self) -> None:
        if self.simulator.fault == "unplugged":
            raise DeviceUnavailable("simulated keypad is unplugged", code="keypad.disconnected")
        self._begin_reading()
        self._stop.clear()
        while not self.simulator.events.empty():
            self.simulator.events.get_nowait()
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-reader", daemon=True)
        self._thread.start()

    def _do_close(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self.simulator.events.put(("", 0))  # wakes the reader so it sees `_stop`
            self._thread.join(timeout=2)
            self._thread = None
        self._end_reading()

    def _run(self) -> None:
        while True:
            name, value = self.simulator.events.get()
            if self._stop.is_set():
                return
            if (name, value) == _UNPLUG:
                self._reader_failed(
                    DeviceUnavailable("simulated keypad was unplugged", code="keypad.disconnected")
                )
                return
            key = self.mapper.feed(name, value)
            if key is not None:
                self._deliver(key)
