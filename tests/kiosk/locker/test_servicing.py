"""A maintainer's compartment back in service: free when empty, occupied with a parcel still in
it, its problems resolved; the parcel stored in a compartment found for its resident; refused
parcels' compartments; a problem resolved with a reason; an unpaid fee waived on release."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.clock import ManualClock
from kiosk.flow.devices import DoorState
from kiosk.flow.locker import LockerError
from kiosk.locker.config import BoardSpec, LockerConfig
from kiosk.locker.demo_layout import grid
from kiosk.locker.service import LockerService
from kiosk.locker.servicing import back_in_service, refused_in, resolve_problem, stored_in
from kiosk.storage.database import Database
from tests.kiosk.locker.test_inventory import deposit, make


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.in_dir(tmp_path)
    yield database
    database.close()


def test_a_compartment_comes_back_as_it_is_inside(db: Database, tmp_path: Path) -> None:
    inventory = make(db, ManualClock(1_800_000_000), tmp_path)
    parcel = deposit(inventory, "A-02")
    assert stored_in(inventory, "A-02") is not None and stored_in(inventory, "A-01") is None
    assert stored_in(inventory, "A-02").id == parcel  # type: ignore[union-attr]
    for compartment in ("A-01", "A-02"):
        inventory.set_out_of_service(compartment, "repair")
    assert len(inventory.problems()) == 2
    assert back_in_service(inventory, "A-01") and back_in_service(inventory, "A-02")
    assert not back_in_service(inventory, "A-01")  # already back: nothing changes
    assert inventory.states()["A-01"] == "free" and inventory.states()["A-02"] == "occupied"
    assert inventory.problems() == []
    assert "A-02" not in [c.id for c in inventory.free_fitting("S")]
    events = [e.event for e in inventory.journal.recent(20)]  # type: ignore[attr-defined]
    assert events.count("back_in_service") == 2


def test_refused_parcels_are_found_and_a_problem_is_resolved_once(
    db: Database, tmp_path: Path
) -> None:
    inventory = make(db, ManualClock(1_800_000_000), tmp_path)
    deposit(inventory, "A-01")
    inventory.refuse(deposit(inventory, "A-02"))
    assert refused_in(inventory) == {"A-02"}
    inventory.problem("A-03", "door_open", "left open")
    [problem] = inventory.problems()
    assert resolve_problem(inventory, problem.id, "checked_ok") and inventory.problems() == []
    assert not resolve_problem(inventory, problem.id, "checked_ok")
    [entry] = [e for e in inventory.journal.recent(20) if e.event == "problem_resolved"]  # type: ignore[attr-defined]
    assert entry.detail == {"problem": problem.id, "kind": "door_open", "reason": "checked_ok"}


class Doors:
    async def open_lock(self, board: int, lock: int, recorded: bool = False) -> DoorState:
        return DoorState.OPEN


class Outbox:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def submit(self, backend: str, path: str, payload: Any, idempotency_key: str) -> None:
        self.sent.append((path, payload))


def test_an_unpaid_fee_is_waived_only_when_asked_and_told_to_the_courier(
    db: Database, tmp_path: Path
) -> None:
    clock = ManualClock(1_800_000_000)
    inventory = make(db, clock, tmp_path)
    parcel = deposit(inventory, "A-02")
    clock.advance(3 * 86400)  # two days overdue at 1 yuan a day
    config = LockerConfig(
        boards={"b1": BoardSpec(family="8a", address=1)}, cabinets=[grid("A", "b1", 2, 3)]
    )
    outbox = Outbox()
    service = LockerService(
        config, inventory, doors=Doors, backends=None, outbox=outbox,  # type: ignore[arg-type]
        journal=inventory.journal, clock=clock, terminal="lk-1",
    )  # fmt: skip
    with pytest.raises(LockerError) as caught:
        asyncio.run(service.release(parcel, "pickup"))
    assert caught.value.key == "locker.fee_unpaid"
    asyncio.run(service.release(parcel, "pickup", waive="hardship"))
    assert inventory.parcel(parcel).status == "picked_up" and inventory.parcel(parcel).fee_paid == 0
    assert inventory.history(parcel)[-1] == "fee_waived"
    [record] = [b for p, b in outbox.sent if p == "/locker/records"]
    assert record["fee_waived"] == 200 and record["fee_paid"] == 0
