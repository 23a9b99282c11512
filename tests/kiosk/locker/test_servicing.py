"""A maintainer's compartment back in service: free when empty, occupied with a parcel still in
it, its problems resolved; and the parcel stored in a compartment found for its resident."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.clock import ManualClock
from kiosk.locker.servicing import back_in_service, stored_in
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
