"""The locker service with fakes around it: the recipient's pickup notice, parcels the
courier back office says were refused in its app, and the touch screen's event loop never
waiting for the disk."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest

from kiosk.clock import ManualClock
from kiosk.flow.devices import DoorState
from kiosk.flow.locker import LockerError, NewParcel, Opening
from kiosk.locker.config import BoardSpec, LockerConfig
from kiosk.locker.demo_layout import grid
from kiosk.locker.inventory import Inventory
from kiosk.locker.layout import Bus, build_layout
from kiosk.locker.secret import Keyed, load_or_create
from kiosk.locker.service import LockerService
from kiosk.storage.database import Database
from kiosk.storage.journal import SqliteJournal

PHONE = "13600136081"


class Doors:
    """Lock boards whose doors open when told (each open noted) and read closed when asked."""

    opened: ClassVar[list[tuple[int, int]]] = []

    async def open_lock(self, address: int, lock: int, recorded: bool = False) -> None:
        Doors.opened.append((address, lock))

    async def door_state(self, address: int, lock: int) -> DoorState:
        return DoorState.CLOSED

    async def door_states(self, address: int) -> dict[int, DoorState]:
        return {lock: DoorState.CLOSED for lock in range(1, 25)}


class Outbox:
    """What was queued for the back offices."""

    def __init__(self) -> None:
        self.queued: list[tuple[str, dict[str, Any]]] = []

    async def submit(self, backend: str, path: str, payload: Any, **_: Any) -> None:
        self.queued.append((path, payload))


class CourierOffice:
    """Signs courier 880001 of 顺丰速运 in, listing the waybills refused in its app."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    async def request(self, backend: str, method: str, path: str, body: Any = None) -> Any:
        return {"courier": "C0001", "company": "顺丰速运", "refused": self.refused}


class SlowDisk(Database):
    """A database on a slow card: once `hold` is called, its next read or commit waits, holding
    the database, until `release`; any use of it from the event loop's thread raises then."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.loop_thread: int | None = None
        self.held: Callable[[], object] | None = None
        self.released = threading.Event()

    def hold(self, held: Callable[[], object]) -> None:
        """From now on: `held()` (on the disk's thread) when the next use of it is held."""
        self.loop_thread, self.held = threading.get_ident(), held

    def release(self) -> None:
        """The held read or commit goes on."""
        self.released.set()

    def _slow(self, what: str) -> None:
        if self.loop_thread == threading.get_ident():
            raise AssertionError(f"a {what} on the event loop's thread: the screen waits for it")
        held, self.held = self.held, None
        if held is not None:
            held()
            self.released.wait(30.0)  # never for ever, should the test fail before releasing

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        with super().transaction(durable=durable) as conn:
            yield conn
            self._slow("commit")  # the fsync of a slow card, the database held meanwhile

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with super().reading() as conn:
            self._slow("read")
            yield conn


def locker_service(tmp_path: Path, db: Database) -> tuple[LockerService, Outbox, CourierOffice]:
    """The service over `db`: a cabinet of 2 x 3 on one board, fake outbox and courier office."""
    clock = ManualClock(1_800_000_000)
    config = LockerConfig(
        boards={"b1": BoardSpec(family="8a", address=1)},
        cabinets=[grid("A", "b1", 2, 3)],
        name={"zh_CN": "幸福里快递柜", "en": "Xingfuli locker"},
        address={"zh_CN": "幸福里 3 号楼旁", "en": "By building 3, Xingfuli"},
    )
    layout = build_layout(config, {"lock_board": Bus("8a", (1,), 24)})
    journal = SqliteJournal(db, "lk-1", clock=clock)
    inventory = Inventory(db, layout, Keyed(load_or_create(tmp_path / "k")), clock, journal)
    outbox, office = Outbox(), CourierOffice()
    service = LockerService(
        config, inventory, doors=Doors, backends=office,  # type: ignore[arg-type]
        outbox=outbox, journal=journal, clock=clock, terminal="lk-1",  # type: ignore[arg-type]
    )  # fmt: skip
    Doors.opened = []
    return service, outbox, office


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[LockerService, Outbox, CourierOffice]]:
    db = Database.in_dir(tmp_path)
    service, outbox, office = locker_service(tmp_path, db)
    yield service, outbox, office
    service.close()
    db.close()


def deposit(service: LockerService, waybill: str, company: str = "顺丰速运") -> str:
    async def run() -> str:
        (first, *_) = await service.suggest("S")
        parcel = NewParcel(waybill=waybill, company=company, phone=PHONE, courier="C0001")
        opening = await service.deposit(first.compartment, parcel)
        await service.closed(opening)
        await service.record_deposit(opening)
        return opening.parcel

    return asyncio.run(run())


def test_the_pickup_notice_names_the_locker_place_code_period_and_masked_phone(
    parts: tuple[LockerService, Outbox, CourierOffice],
) -> None:
    service, outbox, _office = parts
    parcel = deposit(service, "SF1000000081")
    ((path, notice),) = outbox.queued
    assert path == "/locker/notifications"
    assert notice["locker"]["zh_CN"] == "幸福里快递柜" and notice["address"]["en"]
    assert (notice["compartment"], notice["column"], notice["row"]) == ("A-03", 1, 3)
    assert notice["code"] == service.inventory.pickup_code(parcel) and len(notice["code"]) == 6
    assert notice["qr"] == f"PICKUP:lk-1:{notice['code']}"
    assert notice["storage_hours"] == 24 and notice["phone"] == "136****6081"
    assert PHONE not in repr(notice)


def test_parcels_refused_in_the_couriers_app_are_refused_at_its_sign_in_only(
    parts: tuple[LockerService, Outbox, CourierOffice],
) -> None:
    service, outbox, office = parts
    ours = deposit(service, "SF1000000082")
    kept = deposit(service, "SF1000000083")
    other = deposit(service, "SF1000000082", company="中通快递")  # the same number, not theirs
    code = service.inventory.pickup_code(ours)
    office.refused = ["SF1000000082", "SF9999999999"]
    assert asyncio.run(service.sign_in("880001")) == {"courier": "C0001", "company": "顺丰速运"}
    statuses = {p: service.inventory.parcel(p).status for p in (ours, kept, other)}
    assert statuses == {ours: "refused", kept: "stored", other: "stored"}
    assert service.inventory.parcels_for_code(code) == []  # its code died
    (found,) = [f for f in asyncio.run(service.to_retrieve("顺丰速运")) if f.parcel == ours]
    assert found.refused and found.fee == 0
    assert ("/locker/records", "refused") in {(p, n.get("event")) for p, n in outbox.queued}
    asyncio.run(service.sign_in("880001"))  # listed again: nothing changes twice
    assert service.inventory.history(ours).count("refused") == 1


def resident_and_courier_calls(
    service: LockerService, parcel: str, code: str
) -> dict[str, Callable[[], Awaitable[object]]]:
    """Each locker call a flow step (or the start's reconciliation) makes, on a locker holding
    `parcel` (pickup code `code`) with free compartments."""
    free = service.inventory.free_fitting("S")[0]
    new = NewParcel(waybill="SF1000000085", company="顺丰速运", phone=PHONE, courier="C0001")
    opening = Opening(0, parcel, service._place(parcel_compartment(service, parcel)))
    return {
        "deposit": lambda: service.deposit(free.id, new),
        "suggest": lambda: service.suggest("S"),
        "find": lambda: service.find(code),
        "pay": lambda: service.pay([parcel], 0),
        "release": lambda: service.release(parcel, "pickup"),
        "refuse": lambda: service.refuse(parcel),
        "to_retrieve": lambda: service.to_retrieve("顺丰速运"),
        "alarm": lambda: service.alarm(opening, "door left open after a pickup"),
        "sign_in": lambda: service.sign_in("880001"),
        "reconcile": service.reconcile,
    }


def parcel_compartment(service: LockerService, parcel: str) -> str:
    compartment = service.inventory.parcel(parcel).compartment
    assert compartment is not None
    return compartment


CALLS = (
    "deposit", "suggest", "find", "pay", "release", "refuse", "to_retrieve", "alarm", "sign_in",
    "reconcile",
)  # fmt: skip


@pytest.mark.parametrize("call", CALLS)
def test_the_touch_screen_goes_on_while_the_locker_waits_for_a_slow_disk(
    tmp_path: Path, call: str
) -> None:
    db = SlowDisk(tmp_path / "kiosk.sqlite3")
    service, _outbox, _office = locker_service(tmp_path, db)
    try:
        parcel = deposit(service, "SF1000000084")
        code = service.inventory.pickup_code(parcel)
        opened_before = list(Doors.opened)
        work = resident_and_courier_calls(service, parcel, code)[call]

        async def run() -> object:
            loop = asyncio.get_running_loop()
            held = asyncio.Event()
            db.hold(lambda: loop.call_soon_threadsafe(held.set))
            task = asyncio.ensure_future(work())
            waiting = asyncio.ensure_future(held.wait())
            await asyncio.wait({task, waiting}, timeout=30.0, return_when="FIRST_COMPLETED")
            waiting.cancel()
            if task.done():
                task.result()  # a read or commit on the loop's thread raises here
            assert held.is_set(), "the locker never came to the disk"
            # While the disk holds the database, the loop runs other coroutines: a clock ticks.
            ticks = 0
            for _ in range(3):
                await asyncio.sleep(0)
                ticks += 1
            assert ticks == 3 and not task.done()
            assert Doors.opened == opened_before  # no coil fires before its intent is on disk
            db.release()
            return await task

        result = asyncio.run(run())
    finally:
        db.release()
        service.close()
        db.close()
    if call in ("deposit", "release"):
        assert len(Doors.opened) == len(opened_before) + 1  # then the door opened
        assert isinstance(result, Opening)
    if call == "find":
        assert [f.parcel for f in result] == [parcel]  # type: ignore[attr-defined]


def test_the_inventorys_refusals_still_reach_the_step_as_locker_errors(
    parts: tuple[LockerService, Outbox, CourierOffice],
) -> None:
    service, _outbox, _office = parts
    parcel = deposit(service, "SF1000000086")
    taken = parcel_compartment(service, parcel)
    new = NewParcel(waybill="SF1000000087", company="顺丰速运", phone=PHONE, courier="C0001")
    with pytest.raises(LockerError) as refused:
        asyncio.run(service.deposit(taken, new))
    assert refused.value.key == "locker.compartment_taken"
    with pytest.raises(LockerError) as wrong:
        asyncio.run(service.find("000000"))
    assert wrong.value.key == "locker.wrong_code"
