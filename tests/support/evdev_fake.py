"""A stand-in for `evdev.InputDevice`: a pipe says when events are ready, as the kernel's does."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from peripherals.scanner.keycodes import EV_KEY, KEY_CODES

EV_SYN = 0


@dataclass
class FakeEvent:
    """One input event."""

    type: int
    code: int
    value: int


class FakeInput:
    """Quacks like `evdev.InputDevice` for the drivers: fileno, grab, read, close."""

    def __init__(self) -> None:
        self._r, self._w = os.pipe()
        os.set_blocking(self._r, False)
        self.pending: list[FakeEvent] = []
        self.grabbed = False
        self.closed = False

    def fileno(self) -> int:
        return self._r

    def grab(self) -> None:
        self.grabbed = True

    def ungrab(self) -> None:
        self.grabbed = False

    def push_events(self, *events: FakeEvent) -> None:
        """Make events readable."""
        self.pending += events
        os.write(self._w, b"e")

    def push_keys(self, events: list[tuple[str, int]]) -> None:
        """Key events by evdev name and value (1 down, 2 repeat, 0 up)."""
        self.push_events(*(FakeEvent(EV_KEY, KEY_CODES[name], value) for name, value in events))

    def press(self, *names: str) -> None:
        """Whole key presses (down, repeat, up) followed by a sync."""
        events = [FakeEvent(EV_KEY, KEY_CODES[n], v) for n in names for v in (1, 2, 0)]
        self.push_events(*events, FakeEvent(EV_SYN, 0, 0))

    def read(self) -> Iterator[FakeEvent]:
        os.read(self._r, 64)
        events, self.pending = self.pending, []
        return iter(events)

    def close(self) -> None:
        self.closed = True
        os.close(self._r)
        os.close(self._w)
