"""The simulated keypad: presses travel as key events through the key map."""

from __future__ import annotations

import threading
import time

import pytest

from peripherals import registry
from peripherals.errors import DeviceTimeout, DeviceUnavailable
from peripherals.events import EventType, QueueDispatcher
from peripherals.keypad.check import run_check
from peripherals.keypad.keys import Key
from peripherals.keypad.simulated import SimulatedKeypad


def test_press_posts_an_event_and_is_read_in_order() -> None:
    events = QueueDispatcher()
    device = registry.create("keypad", "simulated", name="keypad", dispatcher=events)
    assert isinstance(device, SimulatedKeypad)
    with device:
        for key in ("1", Key.DIGIT_3, "HASH", "enter"):
            device.simulator.press(key)
        event = events.get(timeout=2)
        assert (event.type, event.device, event.data) == (
            EventType.KEY_PRESSED,
            "keypad",
            {"key": "1"},
        )
        read = [device.read_key(2) for _ in range(4)]
    assert read == [Key.DIGIT_1, Key.DIGIT_3, Key.HASH, Key.ENTER]


def test_unmapped_keys_do_nothing_and_read_times_out() -> None:
    with SimulatedKeypad() as device:
        device.simulator.press_raw("KEY_F9")
        started = time.monotonic()
        with pytest.raises(DeviceTimeout) as exc:
            device.read_key(0.2)
    assert exc.value.code == "keypad.no_key"
    assert time.monotonic() - started < 1


def test_custom_keymap_is_used_by_the_simulator() -> None:
    with SimulatedKeypad(keymap={"KEY_F1": "HELP", "KEY_F2": "VOICE"}) as device:
        device.simulator.press(Key.VOICE)
        device.simulator.press_raw("KEY_F1")
        assert device.read_key(2) is Key.VOICE
        assert device.read_key(2) is Key.HELP
        with pytest.raises(ValueError):
            device.simulator.press(Key.DIGIT_1)


def test_unplugged_keypad_is_reported() -> None:
    device = SimulatedKeypad()
    with device:
        device.simulator.fail("unplugged")
        with pytest.raises(DeviceUnavailable) as exc:
            device.read_key(2)
        assert exc.value.code == "keypad.disconnected"
        assert device.health().code == "keypad.disconnected"
    with pytest.raises(DeviceUnavailable):
        device.open()
    device.simulator.fail(None)
    with device:
        device.simulator.press("0")
        assert device.read_key(2) is Key.DIGIT_0


def test_check_reports_the_key_pressed_during_it() -> None:
    events = QueueDispatcher()
    with SimulatedKeypad(dispatcher=events) as device:
        device.simulator.press("9")
        events.get(timeout=2)  # delivered before the check starts, so the check drops it
        later = threading.Timer(0.05, device.simulator.press, args=("*",))
        later.start()
        try:
            result = run_check(device, {"timeout": "2"})
        finally:
            later.join()
    assert result == {"key": "*", "name": "STAR"}


def test_bad_keymap_option_is_a_clear_error() -> None:
    with pytest.raises(DeviceUnavailable):
        registry.create("keypad", "simulated", {"keymap": {"KEY_KP1": "DIGIT_99"}})
