"""The tactile accessibility keypad (0-9, *, # and function keys)."""

from __future__ import annotations

from peripherals.registry import DriverSpec

DRIVERS: dict[str, DriverSpec] = {
    "keypad-hid": DriverSpec(
        "peripherals.keypad.hid",
        "HidKeypad",
        requires=(("evdev", "pip install evdev"),),
        summary="USB HID keypad read with evdev, keys mapped by the `keymap` option",
    ),
    "simulated": DriverSpec(
        "peripherals.keypad.simulated",
        "SimulatedKeypad",
        summary="simulated keypad whose presses go through the same key map",
    ),
}
"""The keypad drivers by name."""
