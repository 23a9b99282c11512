"""The engine's door to the peripheral hub: device actions run off the event loop, errors keyed.

Blocking device calls run in worker threads in short slices, so a resident who cancels while the
kiosk waits for a card frees the reader within about a second instead of at the full timeout.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import logging
import threading
from collections.abc import Callable
from typing import Any

from kiosk.flow.services import DeviceError
from kiosk.receipts import ReceiptError, ReceiptLibrary
from peripherals.device import Device
from peripherals.errors import DeviceTimeout, DeviceUnavailable, PeripheralError
from peripherals.hub import Hub
from peripherals.id_card.base import IdCardReader
from peripherals.printer.base import Printer
from peripherals.scanner.base import CodeScanner
from peripherals.smart_card.base import SmartCardReader

log = logging.getLogger(__name__)


SLICE = 1.0
"""Seconds of one blocking wait; between slices a cancelled wait gives the device back."""
DEFAULT_WAIT = 120.0
"""How long a device step waits when the step sets no timeout (the engine's own timeout rules)."""


def _plain(value: Any) -> Any:
    """Device dataclasses as JSON-like data for flow variables (bytes left out)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not isinstance(getattr(value, f.name), bytes | bytearray)
        }
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if not isinstance(v, bytes)}
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


Presenter = Callable[[str, Device], None]
"""Called in the worker thread just before a device starts waiting for the resident, after
stale input is dropped: simulations put a card on the reader or a code on the scanner here."""


def _wrong(device: Device, what: str) -> DeviceUnavailable:
    return DeviceUnavailable(f"{device.name} is not {what}")


class HubDevices:
    """Implements the engine's `Devices` protocol over a `Hub`."""

    def __init__(
        self, hub: Hub, receipts: ReceiptLibrary, present: Presenter | None = None
    ) -> None:
        self.hub = hub
        self.receipts = receipts
        self.present = present

    def _presenting(self, kind: str, device: Device) -> None:
        if self.present is not None:
            self.present(kind, device)

    def available(self, kind: str) -> bool:
        """Whether a usable device of this kind is open."""
        device = self.hub.by_kind(kind)
        return device is not None and device.health().usable

    async def perform(self, kind: str, action: str, params: dict[str, Any]) -> Any:
        """Run one action; raises `DeviceError` with the peripheral's stable code."""
        device = self.hub.by_kind(kind)
        if device is None:
            raise DeviceError("device.unavailable", kind)
        handler = self._handlers().get((kind, action))
        if handler is None:
            raise DeviceError("device.unsupported", f"{kind}/{action}")
        cancelled = threading.Event()
        try:
            return await asyncio.to_thread(handler, device, params, cancelled)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        except PeripheralError as exc:
            log.info("%s/%s failed: %s", kind, action, exc.code)
            raise DeviceError(exc.code, str(exc)) from exc
        except ReceiptError as exc:
            raise DeviceError(exc.key, exc.detail) from exc

    def _handlers(
        self,
    ) -> dict[tuple[str, str], Callable[[Any, dict[str, Any], threading.Event], Any]]:
        return {
            ("id_card", "read"): self._read_id_card,
            ("smart_card", "read"): self._read_smart_card,
            ("scanner", "scan"): self._scan,
            ("printer", "print"): self._print,
        }

    @staticmethod
    def _sliced(
        call: Callable[[float], Any], params: dict[str, Any], cancelled: threading.Event
    ) -> Any:
        """Call a blocking `call(timeout)` in slices until it answers, times out or is cancelled."""
        total = float(params.get("timeout") or DEFAULT_WAIT)
        waited = 0.0
        while True:
            piece = min(SLICE, total - waited)
            try:
                return call(piece)
            except DeviceTimeout:
                waited += piece
                if cancelled.is_set() or waited >= total:
                    raise

    def _read_id_card(
        self, device: Device, params: dict[str, Any], cancelled: threading.Event
    ) -> Any:
        if not isinstance(device, IdCardReader):
            raise _wrong(device, "an ID card reader")
        reader = device
        self._presenting("id_card", reader)
        return _plain(self._sliced(reader.read_card, params, cancelled))

    def _read_smart_card(
        self, device: Device, params: dict[str, Any], cancelled: threading.Event
    ) -> Any:
        if not isinstance(device, SmartCardReader):
            raise _wrong(device, "a smart-card reader")
        reader = device
        self._presenting("smart_card", reader)
        return _plain(self._sliced(reader.read_social_security_card, params, cancelled))

    def _scan(self, device: Device, params: dict[str, Any], cancelled: threading.Event) -> Any:
        if not isinstance(device, CodeScanner):
            raise _wrong(device, "a code scanner")
        scanner = device
        # Codes scanned before the step began belong to someone else: drop them once, here.
        scanner.clear_pending()
        self._presenting("scanner", scanner)
        return self._sliced(
            lambda timeout: scanner.read_code(timeout, discard_pending=False), params, cancelled
        )

    def _print(self, device: Device, params: dict[str, Any], cancelled: threading.Event) -> Any:
        if not isinstance(device, Printer):
            raise _wrong(device, "a printer")
        printer = device
        receipt = self.receipts.render(
            str(params["receipt"]),
            params.get("variables", {}),
            str(params.get("language", "zh_CN")),
        )
        self._presenting("printer", printer)
        printer.print_receipt(receipt)
        return {"printed": True}
