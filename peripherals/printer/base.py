"""The receipt printer: status, printing with checks before and after, and capabilities."""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from peripherals.device import Device
from peripherals.errors import (
    Busy,
    DeviceFault,
    DeviceTimeout,
    DeviceUnavailable,
    MediaError,
    PeripheralError,
)
from peripherals.events import Dispatcher, EventType
from peripherals.printer.receipt import Receipt
from peripherals.printer.render import ReceiptRenderer
from peripherals.printer.status import (
    DLE_EOT,
    STATUS_QUERIES,
    PrinterStatus,
    decode_status,
    health_of,
)
from peripherals.printer.transport import CONNECTION_LOST, Transport
from peripherals.status import Health, State

log = logging.getLogger(__name__)


class PrinterFeature(enum.IntFlag):
    """What a configured printer can do."""

    CUT = enum.auto()
    QR = enum.auto()
    STATUS = enum.auto()
    IMAGE = enum.auto()


class Printer(Device):
    """An ESC/POS receipt printer behind some `Transport`.

    Options (the keys of `[devices.printer]`, besides the driver's own): `profile` (a
    python-escpos profile name), `paper_width` (dots), `qr` (`native` / `image`), `cut`
    (`full` / `partial`), `font` (CJK font for text drawn as images), `root` (where
    `assets/fonts` is), `four_byte` (the printer's font has GB18030 four-byte characters),
    `timeout` (seconds for each status query and for sending a receipt, plus wire time).
    """

    kind = "printer"

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        transport: Transport,
        profile: str = "default",
        paper_width: int | None = None,
        qr: Literal["native", "image"] = "native",
        cut: Literal["full", "partial"] = "full",
        font: str | None = None,
        root: str | None = None,
        four_byte: bool = False,
        timeout: float = 5.0,
    ) -> None:
        super().__init__(name, dispatcher)
        try:
            self.renderer = ReceiptRenderer(
                profile=profile,
                paper_width=paper_width,
                qr=qr,
                cut=cut,
                font=font,
                root=Path(root) if root else None,
                four_byte=four_byte,
            )
        except ValueError as exc:
            raise DeviceUnavailable(f"printer options: {exc}", code="printer.bad_option") from exc
        self.timeout = float(timeout)
        self._transport = transport
        self._lock = threading.Lock()
        self._last: PrinterStatus | None = None

    @property
    def features(self) -> PrinterFeature:
        """Capabilities of this printer as configured."""
        flags = PrinterFeature.QR | PrinterFeature.IMAGE
        if self.renderer.can_cut:
            flags |= PrinterFeature.CUT
        if self._transport.can_read:
            flags |= PrinterFeature.STATUS
        return flags

    # -- public -------------------------------------------------------------------------------

    def render(self, receipt: Receipt) -> bytes:
        """The ESC/POS bytes this printer would be sent for `receipt`."""
        try:
            return self.renderer.render(receipt)
        except ValueError as exc:
            raise PeripheralError(
                f"receipt cannot be printed: {exc}", code="printer.bad_receipt"
            ) from exc

    def status(self, timeout: float | None = None) -> PrinterStatus:
        """Ask the printer for its real-time status (`DLE EOT 1..4`)."""
        self._require_open()
        if not self._transport.can_read:
            raise DeviceUnavailable(
                f"{self.name} ({self.driver}) cannot report status", code="printer.no_status"
            )
        with self._busy():
            return self._status(self.timeout if timeout is None else timeout, reconnect=True)

    def print_receipt(self, receipt: Receipt, timeout: float | None = None) -> None:
        """Print `receipt`, or raise: nothing is lost silently.

        Refuses with `MediaError` (`printer.paper_out`, `printer.cover_open`, `printer.offline`)
        before sending anything; raises `DeviceFault` `printer.interrupted` when the connection
        fails or the printer stops (offline, paper out, cover open) while or right after
        receiving the receipt, because the paper may then be incomplete.
        """
        self._require_open()
        data = self.render(receipt)
        timeout = self.timeout if timeout is None else timeout
        with self._busy():
            if self._transport.can_read:
                self._refuse_unless_ready(self._status(timeout, reconnect=True))
            try:
                self._transport.write(data, timeout)
            except PeripheralError as exc:
                raise DeviceFault(
                    f"{self.name}: receipt interrupted while sending: {exc}",
                    code="printer.interrupted",
                ) from exc
            if self._transport.can_read:
                try:
                    after = self._status(timeout, reconnect=False)
                except PeripheralError as exc:
                    raise DeviceFault(
                        f"{self.name}: no status after the receipt ({exc.code}); it may be "
                        "incomplete",
                        code="printer.interrupted",
                    ) from exc
                if not after.can_print:
                    raise DeviceFault(
                        f"{self.name}: printer stopped during the receipt "
                        f"({health_of(after).code})",
                        code="printer.interrupted",
                    )
        log.info("%s printed a receipt (%d bytes)", self.name, len(data))

    # -- Device hooks -------------------------------------------------------------------------

    def _do_open(self) -> None:
        self._transport.open()

    def _do_close(self) -> None:
        self._transport.close()

    def _check_health(self) -> Health:
        if not self._transport.can_read:
            return Health(State.ONLINE, "", "status not available on this connection")
        if not self._lock.acquire(blocking=False):
            return Health(State.BUSY, "printer.busy", "printing")
        try:
            status = self._status(self.timeout, reconnect=True)
        except (DeviceTimeout, DeviceUnavailable) as exc:
            return Health(State.OFFLINE, exc.code, str(exc))
        except DeviceFault as exc:
            state = State.OFFLINE if exc.code == CONNECTION_LOST else State.HARDWARE_ERROR
            return Health(state, exc.code, str(exc))
        finally:
            self._lock.release()
        return health_of(status)

    # -- internals ----------------------------------------------------------------------------

    @contextmanager
    def _busy(self) -> Iterator[None]:
        if not self._lock.acquire(blocking=False):
            raise Busy(f"{self.name} is busy printing", code="printer.busy")
        try:
            yield
        finally:
            self._lock.release()

    def _status(self, timeout: float, *, reconnect: bool) -> PrinterStatus:
        try:
            status = self._query(timeout)
        except DeviceFault as exc:
            if not (reconnect and exc.code == CONNECTION_LOST and self._transport.reconnectable):
                raise
            # A network printer drops idle connections after power cycles; one fresh try.
            log.info("%s: reconnecting after %s", self.name, exc.code)
            self._transport.open()
            status = self._query(timeout)
        self._note(status)
        return status

    def _query(self, timeout: float) -> PrinterStatus:
        deadline = time.monotonic() + timeout
        self._transport.discard_input()
        replies: dict[int, int] = {}
        for n in STATUS_QUERIES:
            self._transport.write(DLE_EOT + bytes([n]), max(0.0, deadline - time.monotonic()))
            reply = self._transport.read(1, max(0.0, deadline - time.monotonic()))
            replies[n] = reply[0]
        return decode_status(replies)

    def _note(self, status: PrinterStatus) -> None:
        last, self._last = self._last, status
        if status.paper_out and not (last and last.paper_out):
            self.emit(EventType.PAPER_OUT)
        elif status.paper_near_end and not (last and last.paper_near_end):
            self.emit(EventType.PAPER_LOW)

    def _refuse_unless_ready(self, status: PrinterStatus) -> None:
        health = health_of(status)
        if status.can_print:
            return
        if health.state in (State.MEDIA_PROBLEM, State.OFFLINE):
            raise MediaError(f"{self.name}: {health.detail}", code=health.code)
        raise DeviceFault(f"{self.name}: {health.detail}", code=health.code)
