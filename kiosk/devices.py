"""The engine's typed device doors over the peripheral hub: calls off the loop, errors keyed.

Blocking device calls run in worker threads in short slices, so a resident who cancels while the
kiosk waits for a card frees the reader within about a second instead of at the full timeout.
Receipts arrive finished (rendered and masked by the flow layer); this module only moves them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from kiosk.flow.devices import (
    DeviceError,
    DeviceKind,
    IdCardDoor,
    LockBoardDoor,
    PrinterDoor,
    ScannerDoor,
    SmartCardDoor,
)
from kiosk.flow.services import DurableJournal, Journal
from peripherals.device import Device
from peripherals.errors import DeviceTimeout, MediaError, PeripheralError
from peripherals.hub import Hub

if TYPE_CHECKING:  # each kind's driver base is imported when a door to it is asked for
    from peripherals.id_card.base import IdCardReader
    from peripherals.lock_board.base import DoorState, EnergiseHook, Energising, LockBoard
    from peripherals.printer.base import Printer
    from peripherals.printer.receipt import Receipt
    from peripherals.scanner.base import CodeScanner
    from peripherals.smart_card.base import SmartCardReader

log = logging.getLogger(__name__)

SLICE = 1.0
"""Seconds of one blocking wait; between slices a cancelled wait gives the device back."""
SCAN_SLICE = 0.1
"""A scanner's slice: its wait is a read of a queue, cheap to repeat, and a scan wait is often
cancelled (the code typed on the screen instead): the scanner is back within 0.1 s, and a
process ending after such a step does not wait a second for the thread."""
DEFAULT_WAIT = 120.0
"""How long a wait for the resident lasts when the caller sets no timeout (the engine's own
timeout rules usually end it first, by cancelling)."""

D = TypeVar("D", bound=Device)
T = TypeVar("T")

Presenter = Callable[[str, Device], None]
"""Called in the worker thread just before a device starts waiting for the resident, after
stale input is dropped: simulations put a card on the reader or a code on the scanner here."""


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


def _fields(card: object) -> dict[str, Any]:
    plain = _plain(card)
    if not isinstance(plain, dict):
        raise DeviceError("device.fault", f"a card read gave {type(card).__name__}")
    return plain


def _sliced(
    call: Callable[[float], T],
    timeout: float | None,
    cancelled: threading.Event,
    slice_seconds: float | None = None,
) -> T:
    """Call a blocking `call(timeout)` in slices (`SLICE` s unless given) until it answers,
    times out or is cancelled."""
    total = DEFAULT_WAIT if timeout is None else timeout
    waited = 0.0
    while True:
        piece = min(SLICE if slice_seconds is None else slice_seconds, total - waited)
        try:
            return call(piece)
        except DeviceTimeout:
            waited += piece
            if cancelled.is_set() or waited >= total:
                raise


class _Worker(Generic[D]):
    """One open device: runs its blocking calls in a worker thread with its errors keyed.

    This and the doors below are plain classes: every process that starts devices imports them,
    and a dataclass costs about half a millisecond to create (its methods compiled from source).
    """

    __slots__ = ("device", "kind", "present")

    def __init__(self, device: D, kind: DeviceKind, present: Presenter | None) -> None:
        self.device = device
        self.kind = kind
        self.present = present

    def presenting(self) -> None:
        """Let a simulation present something (a card, a code, a fault) before the wait."""
        if self.present is not None:
            self.present(self.kind.value, self.device)

    async def run(self, call: Callable[[threading.Event], T]) -> T:
        """Run `call(cancelled)` in a thread; `cancelled` is set when the awaiting task is."""
        cancelled = threading.Event()
        try:
            return await asyncio.to_thread(call, cancelled)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        except PeripheralError as exc:
            log.info("%s (%s) failed: %s", self.kind.value, self.device.name, exc.code)
            raise DeviceError(exc.code, str(exc)) from exc


class _IdCardDoor:
    __slots__ = ("worker",)

    def __init__(self, worker: _Worker[IdCardReader]) -> None:
        self.worker = worker

    async def read(self, timeout: float | None = None) -> dict[str, Any]:
        reader = self.worker.device

        def read(cancelled: threading.Event) -> dict[str, Any]:
            self.worker.presenting()
            return _fields(_sliced(reader.read_card, timeout, cancelled))

        return await self.worker.run(read)


class _SmartCardDoor:
    __slots__ = ("worker",)

    def __init__(self, worker: _Worker[SmartCardReader]) -> None:
        self.worker = worker

    async def read(self, timeout: float | None = None) -> dict[str, Any]:
        reader = self.worker.device

        def read(cancelled: threading.Event) -> dict[str, Any]:
            self.worker.presenting()
            return _fields(_sliced(_waiting(reader.read_social_security_card), timeout, cancelled))

        return await self.worker.run(read)

    async def card_number(self, timeout: float | None = None) -> str:
        reader = self.worker.device

        def read(cancelled: threading.Event) -> str:
            self.worker.presenting()
            return _sliced(_waiting(reader.read_card_number), timeout, cancelled)

        return await self.worker.run(read)


def _waiting(call: Callable[[float], T]) -> Callable[[float], T]:
    """A smart-card read whose slice ended with no card in as a slice timed out (the reader
    says `smart_card.no_card`), so the wait goes on to the caller's timeout."""

    def wait(piece: float) -> T:
        try:
            return call(piece)
        except MediaError as exc:
            if exc.code != "smart_card.no_card":
                raise
            raise DeviceTimeout(str(exc), code=exc.code) from exc

    return wait


class _ScannerDoor:
    __slots__ = ("worker",)

    def __init__(self, worker: _Worker[CodeScanner]) -> None:
        self.worker = worker

    async def scan(self, timeout: float | None = None) -> str:
        scanner = self.worker.device

        def scan(cancelled: threading.Event) -> str:
            # Codes scanned before the step began belong to someone else: drop them once, here.
            scanner.clear_pending()
            self.worker.presenting()
            return _sliced(
                lambda piece: scanner.read_code(piece, discard_pending=False),
                timeout,
                cancelled,
                SCAN_SLICE,
            )

        return await self.worker.run(scan)


class _PrinterDoor:
    __slots__ = ("worker",)

    def __init__(self, worker: _Worker[Printer]) -> None:
        self.worker = worker

    async def print_receipt(self, receipt: Receipt) -> None:
        printer = self.worker.device

        def print_it(cancelled: threading.Event) -> None:
            self.worker.presenting()
            printer.print_receipt(receipt)

        await self.worker.run(print_it)


def _journalling(journal: Journal, device: str, *, wait: bool = True) -> EnergiseHook:
    """A hook that journals each open command; it runs before the command goes out, so (when
    `wait`) the entry is committed before the coil can fire."""

    def record(energising: Energising) -> None:
        journal.record(
            "", "", "", "lock_energised", {"device": device, **dataclasses.asdict(energising)}
        )
        if wait and isinstance(journal, DurableJournal):
            journal.flush()  # on disk before the coil fires, not merely queued

    return record


class _LockBoardDoor:
    # Lock commands are not sliced: a cancelled step lets an open finish rather than leave the
    # board mid-command and the door's state unknown.
    __slots__ = ("journal", "worker")

    def __init__(self, worker: _Worker[LockBoard], journal: Journal | None = None) -> None:
        self.worker = worker
        self.journal = journal

    @property
    def boards(self) -> tuple[int, ...]:
        return self.worker.device.boards

    @property
    def locks_per_board(self) -> int:
        return self.worker.device.locks_per_board

    async def open_lock(
        self, board: int, lock: int, timeout: float | None = None, *, recorded: bool = False
    ) -> DoorState:
        device = self.worker.device
        hook = None
        if self.journal is not None:
            # A caller that committed its intent has the energising on disk already: the
            # journal entry follows with the writer thread instead of holding the open up.
            hook = _journalling(self.journal, device.name, wait=not recorded)
        return await self.worker.run(
            lambda _: device.open_lock(board, lock, timeout, on_energise=hook)
        )

    async def door_state(self, board: int, lock: int) -> DoorState:
        device = self.worker.device
        return await self.worker.run(lambda _: device.door_state(board, lock))

    async def door_states(self, board: int) -> dict[int, DoorState]:
        device = self.worker.device
        return await self.worker.run(lambda _: device.door_states(board))


class HubDevices:
    """Implements the engine's `Devices` over a `Hub`: the first open device of each kind."""

    def __init__(
        self, hub: Hub, present: Presenter | None = None, journal: Journal | None = None
    ) -> None:
        self.hub = hub
        self.present = present
        self.journal = journal
        """Where every energising of a lock is recorded (none: not recorded)."""

    def available(self, kind: DeviceKind) -> bool:
        """Whether a usable device of this kind is open."""
        device = self.hub.by_kind(kind)
        return device is not None and device.health().usable

    def id_card(self) -> IdCardDoor:
        """The ID card reader; `device.unavailable` if none is open."""
        from peripherals.id_card.base import IdCardReader

        device = self._open(DeviceKind.ID_CARD)
        if not isinstance(device, IdCardReader):
            raise _not_a(device, "an ID card reader")
        return _IdCardDoor(_Worker(device, DeviceKind.ID_CARD, self.present))

    def smart_card(self) -> SmartCardDoor:
        """The social security card reader; `device.unavailable` if none is open."""
        from peripherals.smart_card.base import SmartCardReader

        device = self._open(DeviceKind.SMART_CARD)
        if not isinstance(device, SmartCardReader):
            raise _not_a(device, "a smart-card reader")
        return _SmartCardDoor(_Worker(device, DeviceKind.SMART_CARD, self.present))

    def scanner(self) -> ScannerDoor:
        """The code scanner; `device.unavailable` if none is open."""
        from peripherals.scanner.base import CodeScanner

        device = self._open(DeviceKind.SCANNER)
        if not isinstance(device, CodeScanner):
            raise _not_a(device, "a code scanner")
        return _ScannerDoor(_Worker(device, DeviceKind.SCANNER, self.present))

    def printer(self) -> PrinterDoor:
        """The receipt printer; `device.unavailable` if none is open."""
        from peripherals.printer.base import Printer

        device = self._open(DeviceKind.PRINTER)
        if not isinstance(device, Printer):
            raise _not_a(device, "a printer")
        return _PrinterDoor(_Worker(device, DeviceKind.PRINTER, self.present))

    def lock_board(self) -> LockBoardDoor:
        """The lock boards; `device.unavailable` if none is open."""
        from peripherals.lock_board.base import LockBoard

        device = self._open(DeviceKind.LOCK_BOARD)
        if not isinstance(device, LockBoard):
            raise _not_a(device, "a lock board")
        return _LockBoardDoor(_Worker(device, DeviceKind.LOCK_BOARD, self.present), self.journal)

    def _open(self, kind: DeviceKind) -> Device:
        device = self.hub.by_kind(kind)
        if device is None or not device.is_open:
            raise DeviceError("device.unavailable", f"no open {kind.value}")
        return device


def _not_a(device: Device, what: str) -> DeviceError:
    return DeviceError("device.unavailable", f"{device.name} is not {what}")
