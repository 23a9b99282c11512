"""The keypad-hid driver with a fake evdev device, and its dependency message."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from peripherals import registry
from peripherals.errors import DeviceUnavailable, MissingDependency
from peripherals.events import QueueDispatcher
from peripherals.keypad.hid import HidKeypad
from peripherals.keypad.keys import Key
from tests.support.evdev_fake import FakeInput


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
        device.fake.press("KEY_KP1", "KEY_KP2", "KEY_F9", "KEY_KPENTER", "KEY_NUMLOCK")
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
