"""`kiosk devices test keypad`: wait for one key press and report it."""

from __future__ import annotations

from peripherals.keypad.base import Keypad

PERSONAL_FIELDS: frozenset[str] = frozenset()
"""A single test key press says nothing about anyone."""


def run_check(device: Keypad, params: dict[str, str]) -> dict[str, object]:
    """Wait for the next key (param `timeout`, default 30 s) and return its value and name."""
    device.clear_pending()
    key = device.read_key(float(params.get("timeout", "30")))
    return {"key": key.value, "name": key.name}
