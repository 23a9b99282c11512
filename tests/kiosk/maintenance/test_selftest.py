"""Self-tests of the kinds the UI tests do not drive (speech, recogniser, headset, keypad): each
ends in a pass, or a fail with the device's fault code, masked and in the menu's words."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

from kiosk.maintenance.selftest import run_self_test
from peripherals.device import Device
from peripherals.headset.simulator import SimulatedHeadset
from peripherals.keypad.keys import Key
from peripherals.keypad.simulated import SimulatedKeypad
from peripherals.recognizer.simulator import SimulatedRecognizer
from peripherals.speaker.simulator import SimulatedSpeaker


@contextmanager
def opened(device: Device) -> Iterator[Any]:
    device.open()
    try:
        yield device
    finally:
        device.close()


def test_speech_and_the_recogniser_pass_or_fail_with_their_fault() -> None:
    with opened(SimulatedSpeaker("speaker")) as speaker:
        assert run_self_test(speaker).passed and speaker.simulator.spoken
        speaker.simulator.fail("no_audio_device")
        failed = run_self_test(speaker)
        assert not failed.passed and failed.code.startswith("speaker.")
    with opened(SimulatedRecognizer("recognizer")) as recognizer:
        recognizer.simulator.hear("二")
        heard = run_self_test(recognizer)
        assert heard.passed and heard.details["phrase"] == "二"
        recognizer.simulator.fail("no_microphone")
        failed = run_self_test(recognizer)
        assert not failed.passed and failed.code.startswith("recognizer.")


def test_the_headset_and_keypad_report_what_they_saw() -> None:
    with opened(SimulatedHeadset("headset")) as headset:
        assert run_self_test(headset).details == {"plugged": False}
        headset.simulator.plug()
        assert run_self_test(headset).details == {"plugged": True}
    with opened(SimulatedKeypad("keypad")) as keypad, ThreadPoolExecutor(1) as pool:
        testing = pool.submit(run_self_test, keypad)  # it forgets keys pressed before it
        deadline = time.monotonic() + 10
        while not testing.done() and time.monotonic() < deadline:
            keypad.simulator.press(Key.DIGIT_5)  # until the test takes one
            wait([testing], timeout=0.05)
        result = testing.result(timeout=10)
        assert result.passed and result.details["key"] == "5"
        keypad.simulator.fail("unplugged")
        failed = run_self_test(keypad)
        assert not failed.passed and failed.code.startswith("keypad.")
