"""What flows may ask of devices: one typed door per device kind, implemented over the hub.

Each door mirrors its peripheral's own abstract class (`peripherals/<kind>/base.py`) as async
calls, so a step kind is a typed call (`await devices.lock_board().open_lock(board, lock)`) and
never a kind/action string pair. Doors raise `DeviceError` with the peripheral's stable code.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Protocol

from kiosk.flow.errors import KeyedError

if TYPE_CHECKING:
    from peripherals.lock_board.base import DoorState
    from peripherals.printer.receipt import Receipt

__all__ = [
    "DeviceError",
    "DeviceKind",
    "Devices",
    "DoorState",
    "IdCardDoor",
    "LockBoardDoor",
    "PrinterDoor",
    "ScannerDoor",
    "SmartCardDoor",
]


def __getattr__(name: str) -> Any:
    """`DoorState`, imported when first asked for: the flow schema (which `kiosk flows check`
    imports) needs `DeviceKind` only, not the peripherals' modules."""
    if name == "DoorState":
        from peripherals.lock_board.base import DoorState

        return DoorState
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class DeviceKind(enum.StrEnum):
    """The device kinds flows use, named as the peripherals name their kinds."""

    ID_CARD = "id_card"
    SMART_CARD = "smart_card"
    SCANNER = "scanner"
    PRINTER = "printer"
    LOCK_BOARD = "lock_board"


class DeviceError(KeyedError):
    """A device failed or is missing (`device.unavailable`); the key is the peripheral's code."""


class IdCardDoor(Protocol):
    """The resident ID card reader."""

    async def read(self, timeout: float | None = None) -> dict[str, Any]:
        """Wait for a card and return its fields as plain data (text, ISO dates; no photo bytes).

        `timeout` bounds the wait (None: the kiosk's default); a cancelled wait frees the reader.
        """
        ...


class SmartCardDoor(Protocol):
    """The social security card (smart card) reader."""

    async def read(self, timeout: float | None = None) -> dict[str, Any]:
        """Wait for a social security card and return what it holds as plain data."""
        ...

    async def card_number(self, timeout: float | None = None) -> str:
        """Wait for a card and return its card number only (a staff card: a courier's)."""
        ...


class ScannerDoor(Protocol):
    """The code scanner."""

    async def scan(self, timeout: float | None = None) -> str:
        """Wait for a code scanned from now on (codes scanned before are dropped) and return it."""
        ...


class PrinterDoor(Protocol):
    """The receipt printer: it prints finished documents, never templates."""

    async def print_receipt(self, receipt: Receipt) -> None:
        """Print a finished (already masked) receipt; returns once the printer has it."""
        ...


class LockBoardDoor(Protocol):
    """The compartment lock boards: boards by address, each with locks numbered from 1."""

    @property
    def boards(self) -> tuple[int, ...]:
        """Addresses of the configured boards."""
        ...

    @property
    def locks_per_board(self) -> int:
        """How many locks each board drives."""
        ...

    async def open_lock(
        self, board: int, lock: int, timeout: float | None = None, *, recorded: bool = False
    ) -> DoorState:
        """Open compartment lock `lock` on board `board`; returns once its door reads open.

        A door still closed after `timeout` (None: the board's own) raises `lock.jammed`.
        Each energising is journaled and, unless `recorded` (the caller already committed
        what it opens, as the locker's intent), on disk before the coil fires.
        """
        ...

    async def door_state(self, board: int, lock: int) -> DoorState:
        """Read one compartment door (`DoorState.CLOSED` once the resident has shut it)."""
        ...

    async def door_states(self, board: int) -> dict[int, DoorState]:
        """Read every door of one board, by lock number."""
        ...


class Devices(Protocol):
    """The engine's door to peripherals: availability per kind, and a typed door per kind.

    Asking for the door of a kind with no open device of that kind raises
    `DeviceError("device.unavailable")`; `available` also checks the device's health.
    """

    def available(self, kind: DeviceKind) -> bool:
        """Whether a device of this kind is configured, open and healthy now."""
        ...

    def id_card(self) -> IdCardDoor:
        """The ID card reader."""
        ...

    def smart_card(self) -> SmartCardDoor:
        """The social security card reader."""
        ...

    def scanner(self) -> ScannerDoor:
        """The code scanner."""
        ...

    def printer(self) -> PrinterDoor:
        """The receipt printer."""
        ...

    def lock_board(self) -> LockBoardDoor:
        """The compartment lock boards."""
        ...
