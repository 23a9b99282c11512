"""The locker's layout as the kiosk uses it: every compartment with its lock and place, checked
against the lock boards configured in `[devices]` (one line at start when it does not fit)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.locker.config import SIZES, LockerConfig
from peripherals import registry
from peripherals.errors import PeripheralError
from peripherals.lock_board.base import LockBoard


class LayoutError(ValueError):
    """The layout does not fit itself or the configured boards; `where` is the key path."""

    def __init__(self, where: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.where = where


@dataclass(frozen=True)
class Bus:
    """A lock-board device as configured: its family, board addresses and locks per board."""

    family: str
    addresses: tuple[int, ...]
    locks_per_board: int


@dataclass(frozen=True)
class Compartment:
    """One compartment, placed and wired."""

    id: str
    cabinet: str
    board: str
    bus: str
    address: int
    lock: int
    size: str
    column: int
    row: int
    band: str
    wheelchair: bool

    @property
    def size_rank(self) -> int:
        """0 for S up to 3 for XL."""
        return SIZES.index(self.size)


@dataclass(frozen=True)
class Layout:
    """Every compartment, cabinets left to right, each cabinet by column then row."""

    compartments: tuple[Compartment, ...]
    cabinets: tuple[str, ...]

    def __iter__(self) -> Iterator[Compartment]:
        return iter(self.compartments)

    def __len__(self) -> int:
        return len(self.compartments)

    def get(self, compartment_id: str) -> Compartment | None:
        """The compartment with this id, if any."""
        for compartment in self.compartments:
            if compartment.id == compartment_id:
                return compartment
        return None

    def columns(self, cabinet: str) -> int:
        """How many columns a cabinet has."""
        return max((c.column for c in self.compartments if c.cabinet == cabinet), default=0)

    def rows(self, cabinet: str) -> int:
        """How many rows a cabinet has."""
        return max((c.row for c in self.compartments if c.cabinet == cabinet), default=0)


def lock_buses(devices: Mapping[str, tuple[str, str, Mapping[str, Any]]]) -> dict[str, Bus]:
    """The lock-board devices among `devices` (name: (kind, driver, options)), as configured.

    Each driver is created (never opened) to read its addresses the way it will at start; one
    that refuses its options is a `LayoutError` naming the device.
    """
    buses: dict[str, Bus] = {}
    for name, (kind, driver, options) in devices.items():
        if kind != "lock_board":
            continue
        try:
            device = registry.create(kind, driver, dict(options))
        except ImportError:
            continue  # a driver's library missing: the hub reports it at open
        except (PeripheralError, TypeError, ValueError) as exc:
            raise LayoutError(("devices", name), str(exc)) from None
        if isinstance(device, LockBoard):
            buses[name] = Bus(device.family, device.boards, device.locks_per_board)
    return buses


def build_layout(locker: LockerConfig, buses: Mapping[str, Bus]) -> Layout:
    """The layout, or `LayoutError` naming the first thing that does not fit."""
    if not locker.cabinets:
        raise LayoutError(("locker", "cabinets"), "locker mode needs at least one cabinet")
    where: tuple[str, ...]
    for name, board in locker.boards.items():
        where = ("locker", "boards", name)
        bus = buses.get(board.bus)
        if bus is None:
            known = ", ".join(sorted(buses)) or "none configured"
            raise LayoutError(
                (*where, "bus"),
                f"board {name} is on no bus: {board.bus!r} is not a lock-board device "
                f"(lock-board devices: {known})",
            )
        if bus.family != board.family:
            raise LayoutError(
                (*where, "family"),
                f"board {name} is {board.family} but bus {board.bus} speaks {bus.family}",
            )
        if board.address not in bus.addresses:
            raise LayoutError(
                (*where, "address"),
                f"board {name} at address {board.address} is not among bus {board.bus}'s boards "
                f"{list(bus.addresses)} (its boards option)",
            )
    used = sorted({board.bus for board in locker.boards.values()})
    if len(used) > 1:
        raise LayoutError(
            ("locker", "boards"),
            f"boards on {len(used)} buses ({', '.join(used)}): a locker drives one lock-board "
            "bus for now; put every board on one",
        )
    compartments: list[Compartment] = []
    seen_ids: dict[str, str] = {}
    seen_locks: dict[tuple[str, int, int], str] = {}
    seen_places: dict[tuple[str, int, int], str] = {}
    for cabinet in locker.cabinets:
        for spec in sorted(cabinet.compartments, key=lambda c: (c.column, c.row)):
            place_key = ("locker", "cabinets", cabinet.id, "compartments", spec.id)
            wired = locker.boards.get(spec.board)
            if wired is None:
                raise LayoutError((*place_key, "board"), f"{spec.id} names no board {spec.board!r}")
            board = wired
            where = place_key
            if not spec.id.startswith(f"{cabinet.id}-"):
                raise LayoutError(where, f"{spec.id} is in cabinet {cabinet.id}: name it so")
            if spec.id in seen_ids:
                raise LayoutError(where, f"two compartments are named {spec.id}")
            bus = buses[board.bus]
            if spec.lock > bus.locks_per_board:
                raise LayoutError(
                    (*where, "lock"),
                    f"{spec.id}: board {spec.board} has locks 1-{bus.locks_per_board}, "
                    f"not {spec.lock}",
                )
            wire = (board.bus, board.address, spec.lock)
            if wire in seen_locks:
                raise LayoutError(
                    (*where, "lock"),
                    f"{seen_locks[wire]} and {spec.id} are both on board {spec.board} "
                    f"lock {spec.lock}",
                )
            place = (cabinet.id, spec.column, spec.row)
            if place in seen_places:
                raise LayoutError(
                    where,
                    f"{seen_places[place]} and {spec.id} are both at column {spec.column} "
                    f"row {spec.row} of cabinet {cabinet.id}",
                )
            seen_ids[spec.id] = cabinet.id
            seen_locks[wire] = spec.id
            seen_places[place] = spec.id
            compartments.append(
                Compartment(
                    id=spec.id,
                    cabinet=cabinet.id,
                    board=spec.board,
                    bus=board.bus,
                    address=board.address,
                    lock=spec.lock,
                    size=spec.size,
                    column=spec.column,
                    row=spec.row,
                    band=spec.band,
                    wheelchair=spec.wheelchair,
                )
            )
    return Layout(tuple(compartments), tuple(c.id for c in locker.cabinets))
