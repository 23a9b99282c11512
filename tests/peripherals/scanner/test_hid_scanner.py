"""Keyboard-wedge decoding, and the scanner-hid driver with a fake input device."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from peripherals import registry
from peripherals.errors import DeviceUnavailable, MissingDependency
from peripherals.events import QueueDispatcher
from peripherals.scanner.hid_scanner import HidCodeScanner
from peripherals.scanner.keyburst import KeyBurstDecoder
from peripherals.scanner.keycodes import KEY_CODES
from tests.support.evdev_fake import FakeInput


def type_text(text: str) -> list[tuple[str, int]]:
    """Key events a US-layout wedge scanner sends for `text` followed by Enter."""
    from peripherals.scanner.keyburst import CHARACTERS

    lookup: dict[str, tuple[str, bool]] = {}
    for key, (plain, shifted) in CHARACTERS.items():
        if not key.startswith("KEY_KP"):
            lookup.setdefault(plain, (key, False))
            lookup.setdefault(shifted, (key, True))
    events: list[tuple[str, int]] = []
    for char in text:
        key, shift = lookup[char]
        if shift:
            events.append(("KEY_LEFTSHIFT", 1))
        events += [(key, 1), (key, 0)]
        if shift:
            events.append(("KEY_LEFTSHIFT", 0))
    return [*events, ("KEY_ENTER", 1), ("KEY_ENTER", 0)]


def decode(events: list[tuple[str, int]]) -> list[str]:
    decoder = KeyBurstDecoder()
    return [code for key, value in events if (code := decoder.feed(key, value)) is not None]


def test_letters_digits_and_shifted_symbols() -> None:
    text = "https://Example.org/q?id=AB-12_34&x=~!@#$%^*()"
    assert decode(type_text(text)) == [text]


def test_two_bursts_give_two_codes() -> None:
    assert decode(type_text("6901234567892") + type_text("Pickup 42")) == [
        "6901234567892",
        "Pickup 42",
    ]


def test_caps_lock_and_keypad_digits_and_keypad_enter() -> None:
    events = [("KEY_CAPSLOCK", 1), ("KEY_CAPSLOCK", 0), ("KEY_A", 1), ("KEY_A", 0)]
    events += [("KEY_LEFTSHIFT", 1), ("KEY_B", 1), ("KEY_B", 0), ("KEY_LEFTSHIFT", 0)]
    events += [("KEY_KP7", 1), ("KEY_KP7", 0), ("KEY_1", 2), ("KEY_KPENTER", 1)]
    assert decode(events) == ["Ab7"]


def test_unknown_keys_and_empty_bursts_are_ignored() -> None:
    decoder = KeyBurstDecoder()
    assert decoder.feed("KEY_F5", 1) is None
    assert decoder.feed("KEY_ENTER", 1) is None
    assert decoder.ignored == 1


def test_right_shift_release_keeps_left_shift_held() -> None:
    events = [("KEY_LEFTSHIFT", 1), ("KEY_RIGHTSHIFT", 1), ("KEY_RIGHTSHIFT", 0)]
    events += [("KEY_X", 1), ("KEY_LEFTSHIFT", 0), ("KEY_X", 1), ("KEY_ENTER", 1)]
    assert decode(events) == ["Xx"]


# -- the driver, with a fake evdev device ---------------------------------------------------


class FakeHidScanner(HidCodeScanner):
    fake: FakeInput

    def _open_input(self) -> Any:
        self.fake = FakeInput()
        return self.fake


def test_driver_grabs_decodes_and_releases() -> None:
    events = QueueDispatcher()
    device = FakeHidScanner(dispatcher=events, device="/dev/input/event-fake")
    with device:
        assert device.fake.grabbed
        device.fake.push_keys(type_text("QR-9001"))
        assert events.get(timeout=2).data == {"code": "QR-9001"}
        assert device.read_code(1, discard_pending=False) == "QR-9001"
    assert not device.fake.grabbed and device.fake.closed


def test_missing_evdev_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "evdev", None)
    with pytest.raises(MissingDependency, match="pip install evdev"):
        registry.create("scanner", "scanner-hid", {"device": "/dev/input/event0"})
    with pytest.raises(MissingDependency, match="pip install evdev"):
        HidCodeScanner(device="/dev/input/event0").open()


def test_device_option_is_required() -> None:
    with pytest.raises(DeviceUnavailable):
        HidCodeScanner().open()


def test_key_code_table_matches_the_kernel_numbers() -> None:
    evdev = pytest.importorskip("evdev")
    for name, code in KEY_CODES.items():
        assert evdev.ecodes.ecodes[name] == code, name
