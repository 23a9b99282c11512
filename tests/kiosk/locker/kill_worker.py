"""A locker process for the power-loss tests (run as a script; the test SIGKILLs it).

`deposit DATA PORT FAMILY STOP` / `pickup DATA PORT FAMILY STOP PARCEL` / `refuse DATA PORT
FAMILY STOP PARCEL`: the locker's inventory in DATA and the family's real driver on the simulated
bus at PORT; runs one deposit (into A-03), one pickup or one refusal, printing `AT <point>` at
each point and, at the point named STOP, waiting there for the kill. Points: `intent` (written,
door not yet opened), `open` (seen open), `closed` (seen closed, record not yet updated),
`refused` (the refusal committed, its record not yet handed to the outbox). Ends with `DONE`
when STOP is never reached.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path
from typing import Any

from kiosk.clock import SystemClock
from kiosk.flow.devices import DoorState
from kiosk.flow.locker import NewParcel
from kiosk.flow.services import BackendError, Submission
from kiosk.locker.config import BoardSpec, LockerConfig
from kiosk.locker.demo_layout import grid
from kiosk.locker.inventory import Action, Inventory
from kiosk.locker.layout import Bus, build_layout
from kiosk.locker.secret import Keyed, load_or_create
from kiosk.locker.service import LockerService
from kiosk.storage.database import Database
from kiosk.storage.journal import SqliteJournal
from peripherals import registry
from peripherals.lock_board.base import LockBoard

ADDRESS = {"8a": 1, "wkly": 0, "kerong": 0}
DRIVERS = {"8a": "lockboard-8a", "wkly": "lockboard-wkly", "kerong": "lockboard-kerong"}
FAST = {"timeout": 0.1, "open_timeout": 0.5, "poll_interval": 0.01, "coil_time": 0.0}


class Door:
    """The flows' lock-board door over one real driver, without the hub."""

    def __init__(self, board: LockBoard) -> None:
        self.board = board
        self.boards = board.boards
        self.locks_per_board = board.locks_per_board

    async def open_lock(
        self, board: int, lock: int, timeout: float | None = None, *, recorded: bool = False
    ) -> DoorState:
        return await asyncio.to_thread(self.board.open_lock, board, lock, timeout)

    async def door_state(self, board: int, lock: int) -> DoorState:
        return await asyncio.to_thread(self.board.door_state, board, lock)

    async def door_states(self, board: int) -> dict[int, DoorState]:
        return await asyncio.to_thread(self.board.door_states, board)


class NoNetwork:
    """Back offices that cannot be reached; the outbox is not under test here."""

    async def request(self, *args: Any, **kwargs: Any) -> Any:
        raise BackendError("backend.unreachable", "no network in the power-loss test")

    async def submit(self, *args: Any, **kwargs: Any) -> Submission:
        raise BackendError("backend.unreachable", "no network in the power-loss test")


def locker(data: Path, port: str, family: str) -> tuple[LockerService, LockBoard]:
    """The locker service on DATA and the bus at PORT (the driver opened)."""
    address = ADDRESS[family]
    config = LockerConfig(
        boards={"b1": BoardSpec(family=family, address=address)},  # type: ignore[arg-type]
        cabinets=[grid("A", "b1", 2, 3)],
    )
    layout = build_layout(config, {"lock_board": Bus(family, (address,), 24)})
    options = {**FAST, "port": port, "boards": [address], "locks_per_board": 24}
    board = registry.create("lock_board", DRIVERS[family], options)
    assert isinstance(board, LockBoard)
    board.open()
    db = Database.in_dir(data)
    clock = SystemClock()
    journal = SqliteJournal(db, "kill", clock=clock)
    inventory = Inventory(db, layout, Keyed(load_or_create(data / "locker.key")), clock, journal)
    service = LockerService(
        config,
        inventory,
        doors=lambda: Door(board),  # type: ignore[arg-type,return-value]
        backends=NoNetwork(),
        outbox=NoNetwork(),
        journal=journal,
        clock=clock,
        terminal="kill",
        poll_interval=0.01,
    )
    return service, board


def at(point: str, stop: str) -> None:
    """Say where the process is; wait for the kill at the chosen point."""
    sys.stdout.write(f"AT {point}\n")
    sys.stdout.flush()
    if point == stop:
        threading.Event().wait()


def run(mode: str, data: Path, port: str, family: str, stop: str, parcel: str = "") -> None:
    service, _board = locker(data, port, family)
    real_open = service._open

    async def open_then_report(action: Action) -> None:
        at("intent", stop)
        await real_open(action)
        at("open", stop)

    service._open = open_then_report  # type: ignore[method-assign]

    async def deposit() -> None:
        parcel = NewParcel(waybill="SF1234509876", company="SF", phone="13800138000", courier="C1")
        opening = await service.deposit("A-03", parcel)
        await service.closed(opening)
        at("closed", stop)
        await service.record_deposit(opening)

    async def pickup() -> None:
        opening = await service.release(parcel, "pickup")
        await service.closed(opening)
        at("closed", stop)

    real_refuse = service.inventory.refuse

    def refuse_then_report(parcel: str, reason: str = "") -> Any:
        refused = real_refuse(parcel, reason)
        at("refused", stop)
        return refused

    service.inventory.refuse = refuse_then_report  # type: ignore[method-assign]

    async def refuse() -> None:
        await service.refuse(parcel)

    runs = {"deposit": deposit, "pickup": pickup, "refuse": refuse}
    asyncio.run(runs[mode]())
    sys.stdout.write("DONE\n")
    sys.stdout.flush()


if __name__ == "__main__":
    run(sys.argv[1], Path(sys.argv[2]), *sys.argv[3:])
