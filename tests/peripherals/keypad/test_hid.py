"""The keypad-hid driver with a fake evdev device, and its dependency message."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from peripherals import registry
from peripherals.errors import DeviceUnavailable, MissingDependency
from peripherals.events import QueueDispatcher
from peripherals.keypad.hid import HidKeypad
from peripherals.keypad.keys import Key
from peripherals.scanner.keycodes import EV_KEY, KEY_CODES


@dataclass
class FakeEvent:
    type: int
    code: int
    value: int


class FakeInput:
    """Quacks like evdev.InputDevice: a pipe says when events are ready."""

    def __init__(self) -> None:
        self._r, self._w = os.pipe()
        self.pending: list[FakeEvent] = []
        self.grabbed = False

    def fileno(self) -> int:
        return self._r

    def grab(self) -> None:
        self.grabbed = True

    def ungrab(self) -> None:
        self.grabbed = False

    def push(self, *presses: str) -> None:
        for name in presses:
            self.pending += [FakeEvent(EV_KEY, KEY_CODES[name], v) for v in (1, 2, 0)]
        self.pending.append(FakeEvent(0, 0, 0))  # EV_SYN
        os.write(self._w, b"e")

    def read(self) -> Iterator[FakeEvent]:
        os.read(self._r, 64)
        events, self.pending = self.pending, []
        return iter(events)

    def close(self) -> None:
        os.close(self._r)
        os.close(self._w)


class FakeHidKeypad(HidKeypad):
    fake: FakeInput

    def _open_input(self) -> Any:
        self.fake = FakeInput()
        return self.fake


def test_hid_keypad_maps_usb_numeric_keypad_presses() -> None:
    events = QueueDispatcher()
    device = FakeHidKeypad(dispatcher=events, device="/dev/input/event-fake")
    with device:
        assert device.fake.grabbed
        device.fake.push("KEY_KP1", "KEY_KP2", "KEY_F9", "KEY_KPENTER", "KEY_NUMLOCK")
        keys = [device.read_key(2) for _ in range(4)]
        assert [events.get(timeout=1).data["key"] for _ in range(4)] == ["1", "2", "enter", "voice"]
    assert keys == [Key.DIGIT_1, Key.DIGIT_2, Key.ENTER, Key.VOICE]
    assert not device.fake.grabbed


def test_unknown_key_name_in_keymap_is_refused() -> None:
    with pytest.raises(DeviceUnavailable) as exc:
        HidKeypad(device="/dev/input/event0", keymap={"KEY_NO_SUCH_KEY": "HELP"})
    assert exc.value.code == "keypad.bad_keymap"


def test_missing_evdev_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "evdev", None)
    with pytest.raises(MissingDependency, match="pip install evdev"):
        registry.create("keypad", "keypad-hid", {"device": "/dev/input/event0"})
    with pytest.raises(MissingDependency, match="pip install evdev"):
        HidKeypad(device="/dev/input/event0").open()


def test_device_option_is_required() -> None:
    with pytest.raises(DeviceUnavailable):
        HidKeypad().open()
