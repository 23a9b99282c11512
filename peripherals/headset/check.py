"""`kiosk devices test headset`: report whether a headset is plugged in."""

from __future__ import annotations

from peripherals.headset.base import Headset

PERSONAL_FIELDS: frozenset[str] = frozenset()


def run_check(device: Headset, params: dict[str, str]) -> dict[str, object]:
    """The jack state now."""
    return {"plugged": device.plugged()}
