"""The locker service with fakes around it: the recipient's pickup notice, and parcels the
courier back office says were refused in its app."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.clock import ManualClock
from kiosk.flow.devices import DoorState
from kiosk.flow.locker import NewParcel
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
    """Lock boards whose doors open when told and read closed when asked."""

    async def open_lock(self, address: int, lock: int, recorded: bool = False) -> None:
        return None

    async def door_state(self, address: int, lock: int) -> DoorState:
        return DoorState.CLOSED


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


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[LockerService, Outbox, CourierOffice]]:
    clock = ManualClock(1_800_000_000)
    config = LockerConfig(
        boards={"b1": BoardSpec(family="8a", address=1)},
        cabinets=[grid("A", "b1", 2, 3)],
        name={"zh_CN": "幸福里快递柜", "en": "Xingfuli locker"},
        address={"zh_CN": "幸福里 3 号楼旁", "en": "By building 3, Xingfuli"},
    )
    layout = build_layout(config, {"lock_board": Bus("8a", (1,), 24)})
    db = Database.in_dir(tmp_path)
    journal = SqliteJournal(db, "lk-1", clock=clock)
    inventory = Inventory(db, layout, Keyed(load_or_create(tmp_path / "k")), clock, journal)
    outbox, office = Outbox(), CourierOffice()
    service = LockerService(
        config, inventory, doors=Doors, backends=office,  # type: ignore[arg-type]
        outbox=outbox, journal=journal, clock=clock, terminal="lk-1",  # type: ignore[arg-type]
    )  # fmt: skip
    yield service, outbox, office
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
