"""The inventory: written before, confirmed after; codes hashed and single-use; a dead process's
actions settled by the doors after a restart; wrong codes locked out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.clock import ManualClock
from kiosk.locker import schema
from kiosk.locker.attempts import Attempts, Limit, LockedOut
from kiosk.locker.config import BoardSpec, LockerConfig
from kiosk.locker.demo_layout import grid
from kiosk.locker.inventory import Inventory, InventoryError
from kiosk.locker.layout import Bus, build_layout
from kiosk.locker.reconcile import compare_doors, recover
from kiosk.locker.secret import Keyed, load_or_create
from kiosk.storage.database import Database
from kiosk.storage.journal import SqliteJournal

PHONE = "13912345678"
OTHER = "13800001111"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1_800_000_000)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.in_dir(tmp_path)
    yield database
    database.close()


def make(db: Database, clock: ManualClock, tmp_path: Path) -> Inventory:
    locker = LockerConfig(
        boards={"b1": BoardSpec(family="8a", address=1)}, cabinets=[grid("A", "b1", 2, 3)]
    )
    layout = build_layout(locker, {"lock_board": Bus("8a", (1,), 24)})
    keyed = Keyed(load_or_create(tmp_path / "locker.key"))
    return Inventory(db, layout, keyed, clock, SqliteJournal(db, "lk-1", clock=clock))


def deposit(inventory: Inventory, compartment: str, phone: str = PHONE) -> str:
    action = inventory.begin_deposit(
        compartment, waybill="SF1234567890", company="SF", phone=phone, storage_hours=24,
        courier="C1",
    )  # fmt: skip
    inventory.opened(action)
    inventory.finish_deposit(action)
    return action.parcel


def test_a_deposit_is_written_before_and_confirmed_after(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    inventory = make(db, clock, tmp_path)
    action = inventory.begin_deposit(
        "A-02", waybill="SF1", company="SF", phone=PHONE, storage_hours=24, courier="C1"
    )
    assert inventory.states()["A-02"] == "reserved"
    assert [a.phase for a in inventory.unfinished()] == ["intent"]
    inventory.opened(action)
    assert inventory.states()["A-02"] == "door_open"
    parcel = inventory.finish_deposit(action)
    assert parcel.status == "stored" and parcel.phone_masked == "139****5678"
    assert inventory.states()["A-02"] == "occupied"
    assert inventory.unfinished() == []
    assert inventory.history(parcel.id) == ["reserved", "stored"]


def test_no_phone_or_code_is_stored_in_clear(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    inventory = make(db, clock, tmp_path)
    parcel = deposit(inventory, "A-01")
    code = inventory.pickup_code(parcel)
    assert re.fullmatch(r"\d{6}", code)
    db.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("kiosk.sqlite3*"))
    assert PHONE.encode() not in raw
    assert code.encode() not in raw


def test_a_code_finds_every_parcel_of_the_recipient_and_works_once(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    inventory = make(db, clock, tmp_path)
    first, second = deposit(inventory, "A-01"), deposit(inventory, "A-04")
    deposit(inventory, "A-02", phone=OTHER)
    code = inventory.pickup_code(first)
    found = inventory.parcels_for_code(code)
    assert sorted(p.id for p in found) == sorted([first, second])
    for parcel in found:
        action = inventory.begin_release(parcel.id, "pickup")
        inventory.opened(action)
        inventory.finish_release(action)
    assert inventory.parcels_for_code(code) == []
    assert inventory.states()["A-01"] == "door_open"
    with pytest.raises(InventoryError):
        inventory.begin_release(first, "pickup")


def test_the_smallest_free_compartment_that_fits_comes_first(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    inventory = make(db, clock, tmp_path)
    # rows: 1 L (column 1: XL), 2 L, 3 M
    assert [c.id for c in inventory.free_fitting("M")][:2] == ["A-03", "A-06"]
    assert [c.id for c in inventory.free_fitting("XL")] == ["A-01"]
    assert all(c.wheelchair for c in inventory.free_fitting("S", wheelchair=True))


def test_the_fee_grows_per_started_day_after_the_free_period_up_to_the_cap(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    inventory = make(db, clock, tmp_path)
    parcel = inventory.parcel(deposit(inventory, "A-01"))
    assert inventory.fee(parcel, 100, 300) == 0
    clock.advance(24 * 3600 + 1)
    assert inventory.fee(parcel, 100, 300) == 100
    clock.advance(10 * 86400)
    assert inventory.fee(parcel, 100, 300) == 300
    inventory.pay(parcel.id, 300)
    assert inventory.fee(inventory.parcel(parcel.id), 100, 300) == 0


@pytest.mark.parametrize(
    ("phase", "door", "status", "state"),
    [
        ("intent", "closed", "unconfirmed", "occupied"),
        ("intent", "open", "unconfirmed", "door_open"),
        ("opened", "open", "unconfirmed", "door_open"),
        ("opened", "closed", "stored", "occupied"),
    ],
)
def test_a_deposit_a_dead_process_left_is_settled_by_its_door(
    db: Database, clock: ManualClock, tmp_path: Path, phase: str, door: str, status: str, state: str
) -> None:
    inventory = make(db, clock, tmp_path)
    action = inventory.begin_deposit(
        "A-03", waybill="SF1", company="SF", phone=PHONE, storage_hours=24, courier="C1"
    )
    if phase == "opened":
        inventory.opened(action)
    restarted = make(db, clock, tmp_path)
    done = recover(restarted, {"A-03": door})
    assert restarted.parcel(action.parcel).status == status
    assert restarted.states()["A-03"] == state
    assert restarted.unfinished() == []
    assert bool(done.flagged) == (status == "unconfirmed")
    assert (status == "unconfirmed") == any(
        p.kind == "interrupted_deposit" for p in restarted.problems()
    )


@pytest.mark.parametrize(
    ("phase", "door", "status"),
    [
        ("intent", "closed", "unconfirmed"),
        ("intent", "open", "picked_up"),
        ("opened", "open", "picked_up"),
        ("opened", "closed", "picked_up"),
    ],
)
def test_a_pickup_a_dead_process_left_never_lets_its_code_work_again(
    db: Database, clock: ManualClock, tmp_path: Path, phase: str, door: str, status: str
) -> None:
    inventory = make(db, clock, tmp_path)
    parcel = deposit(inventory, "A-05")
    code = inventory.pickup_code(parcel)
    action = inventory.begin_release(parcel, "pickup")
    if phase == "opened":
        inventory.opened(action)
    restarted = make(db, clock, tmp_path)
    recover(restarted, {"A-05": door})
    assert restarted.parcel(parcel).status == status
    assert restarted.parcels_for_code(code) == []
    assert restarted.unfinished() == []


def test_doors_that_disagree_with_the_inventory_are_listed_once(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    inventory = make(db, clock, tmp_path)
    doors = {c.id: "closed" for c in inventory.layout}
    doors["A-02"] = "open"
    doors["A-06"] = "unknown"
    assert compare_doors(inventory, doors) == 2
    assert compare_doors(inventory, doors) == 2
    assert sorted((p.compartment, p.kind) for p in inventory.problems()) == [
        ("A-02", "door_open"),
        ("A-06", "door_unknown"),
    ]
    assert inventory.states()["A-02"] == "door_open"


def test_wrong_attempts_lock_out_for_longer_each_time(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    make(db, clock, tmp_path)
    journal = SqliteJournal(db, "lk-1", clock=clock)
    attempts = Attempts(db, clock, journal)
    limit = Limit(per_minute=3, lockout=60)
    for _ in range(3):
        attempts.check("pickup")
        attempts.record("pickup", False, limit, "ab12cd34")
    with pytest.raises(LockedOut) as first:
        attempts.check("pickup")
    assert first.value.seconds == pytest.approx(60)
    clock.advance(61)
    for _ in range(3):
        attempts.record("pickup", False, limit)
    with pytest.raises(LockedOut) as second:
        attempts.check("pickup")
    assert second.value.seconds == pytest.approx(120)
    attempts.check("courier")  # another scope is not locked out
    assert sum(1 for e in journal.recent(20) if e.event == "attempt") == 6


def test_a_refused_parcel_keeps_its_place_owes_nothing_and_its_code_is_dead(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    inventory = make(db, clock, tmp_path)
    parcel = deposit(inventory, "A-02")
    code = inventory.pickup_code(parcel)
    clock.advance(4 * 86400)
    refused = inventory.refuse(parcel, "by the recipient")
    assert refused.status == "refused"
    assert inventory.parcels_for_code(code) == []
    assert inventory.states()["A-02"] == "occupied"  # it waits there for its courier
    assert inventory.history(parcel)[-1] == "refused"
    assert inventory.unfinished() == []  # no door was to open
    with pytest.raises(InventoryError):
        inventory.refuse(parcel)
    with pytest.raises(InventoryError):
        inventory.begin_release(parcel, "pickup")  # never handed to the resident after all
    # its courier's company takes it back with the overdue ones; another company does not
    assert [p.id for p in inventory.to_retrieve(3, "SF")] == [parcel]
    assert inventory.to_retrieve(3, "ZTO") == []
    action = inventory.begin_release(parcel, "retrieve")
    assert inventory.release_failed(action, "lock.jammed") == "refused"  # no new code either
    assert inventory.parcel(parcel).status == "refused"
    journal = SqliteJournal(db, "lk-1", clock=clock).between(0, 4e9)
    (entry,) = [e for e in journal if e.event == "refused"]
    assert PHONE not in str(entry.detail) and "139****5678" in str(entry.detail)


def test_the_refused_status_migrates_a_first_version_locker_keeping_every_parcel(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    db.migrate(schema.COMPONENT, schema.MIGRATIONS[:1])
    with db.transaction() as conn:
        conn.execute("INSERT INTO locker_compartments (id, updated_at) VALUES ('A-01', 0)")
        conn.execute(
            "INSERT INTO locker_parcels (id, waybill, company, phone_hash, phone_masked,"
            " compartment, status, storage_hours, created_at, updated_at)"
            " VALUES ('P000001', 'SF1', 'SF', 'h', '139****5678', 'A-01', 'stored', 24, 0, 0)"
        )
        conn.execute("INSERT INTO locker_history (parcel, at, status) VALUES ('P000001', 0, 'x')")
    inventory = make(db, clock, tmp_path)  # migrates to the latest version
    assert db.version(schema.COMPONENT) == len(schema.MIGRATIONS)
    assert inventory.refuse("P000001").status == "refused"
    assert inventory.history("P000001") == ["x", "refused"]
