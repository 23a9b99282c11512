"""Acting for the resident at simulated devices (the `--simulate` panel, and session ends).

Every action is one entry in `SimulatedDevices.actions`, so the panel's buttons and hotkeys
name what they do and an unknown name is a `KeyError` at once, not a silent no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from peripherals.hub import Hub
from peripherals.keypad.keys import Key

log = logging.getLogger(__name__)

DEMO_CODE = "E10000001"
"""The code the scan action scans (an invented parcel/waybill code)."""


class SimulatedDevices:
    """The simulators behind a hub's devices, with one method per panel action."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.paper_out = False
        self.actions: Mapping[str, Callable[[], str]] = MappingProxyType(
            {
                "id_card": self.present_id_card,
                "smart_card": self.insert_smart_card,
                "scan": self.scan,
                "paper": self.toggle_paper,
                "headset": self.toggle_headset,
            }
        )
        """Panel action name → what it does (each returns a one-line status)."""

    def _simulator(self, kind: str) -> Any:
        device = self.hub.by_kind(kind)
        simulator = getattr(device, "simulator", None)
        if simulator is None:
            raise LookupError(f"no simulated {kind}")
        return simulator

    def run(self, action: str) -> str:
        """Do one panel action; returns a one-line status (never raises but `KeyError`)."""
        do = self.actions[action]
        try:
            return do()
        except LookupError as exc:
            return str(exc)
        except Exception as exc:  # a simulator refusing must not break the kiosk
            log.warning("simulate %s failed: %s", action, exc)
            return f"{action}: {type(exc).__name__}"

    def present_id_card(self) -> str:
        """Put the demo ID card on the reader."""
        self._simulator("id_card").present_card()
        return "ID card presented"

    def insert_smart_card(self) -> str:
        """Insert the demo social security card."""
        self._simulator("smart_card").present_card()
        return "social security card inserted"

    def scan(self) -> str:
        """Scan the demo code."""
        self._simulator("scanner").scan(DEMO_CODE)
        return "code scanned"

    def toggle_paper(self) -> str:
        """Pull the receipt paper out, or put it back."""
        printer = self._simulator("printer")
        self.paper_out = not self.paper_out
        if self.paper_out:
            printer.fail("paper_out")
            return "printer: paper out"
        printer.clear("paper_out")
        return "printer: paper back in"

    def toggle_headset(self) -> str:
        """Plug the headset in, or pull it out."""
        headset = self._simulator("headset")
        if headset.plugged():
            headset.unplug()
            return "headset unplugged"
        headset.plug()
        return "headset plugged in"

    def press(self, key: Key) -> str:
        """Press a key on the simulated keypad."""
        try:
            self._simulator("keypad").press(key)
        except LookupError as exc:
            return str(exc)
        return f"key {key.value}"

    def take_cards_away(self) -> None:
        """Empty the card readers (a resident takes their card when the session ends)."""
        for kind in ("id_card", "smart_card"):
            try:
                self._simulator(kind).remove_card()
            except Exception as exc:  # nothing to take away, or no such device
                log.debug("remove %s card: %s", kind, exc)


__all__ = ["DEMO_CODE", "SimulatedDevices"]
