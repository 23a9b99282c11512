"""Every energising of a lock opened through the kiosk's lock-board door is in the journal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.devices import HubDevices
from kiosk.flow.devices import DeviceError, DoorState
from kiosk.storage.database import Database
from kiosk.storage.journal import SqliteJournal
from peripherals.hub import DeviceConfig, Hub

FAST = {"timeout": 0.1, "open_reply_timeout": 0.1, "poll_interval": 0.01, "coil_time": 0.02}


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[SqliteJournal]:
    db = Database.in_dir(tmp_path)
    try:
        yield SqliteJournal(db, "gx-test")
    finally:
        db.close()


@pytest.fixture
def hub() -> Iterator[Hub]:
    config = DeviceConfig("lock_board", "simulated", {"family": "wkly", "boards": [0], **FAST})
    with Hub({"locker": config}) as opened:
        yield opened


def simulator(hub: Hub) -> Any:
    device = hub.by_kind("lock_board")
    assert device is not None
    return device.simulator  # type: ignore[attr-defined]


def energisings(journal: SqliteJournal) -> list[dict[str, Any]]:
    return [e.detail for e in reversed(journal.recent()) if e.event == "lock_energised"]


async def test_an_open_is_journalled_once(hub: Hub, journal: SqliteJournal) -> None:
    locks = HubDevices(hub, journal=journal).lock_board()
    assert await locks.open_lock(0, 5) is DoorState.OPEN
    assert energisings(journal) == [
        {"device": "locker", "board": 0, "lock": 5, "attempt": 1, "after": None}
    ]


async def test_an_open_whose_intent_is_recorded_is_journalled_too(
    hub: Hub, journal: SqliteJournal
) -> None:
    locks = HubDevices(hub, journal=journal).lock_board()
    assert await locks.open_lock(0, 7, recorded=True) is DoorState.OPEN
    journal.flush()
    assert [e["lock"] for e in energisings(journal)] == [7]


async def test_a_lost_reply_is_not_a_second_energising(hub: Hub, journal: SqliteJournal) -> None:
    simulator(hub).fail("silent", times=1)
    assert await HubDevices(hub, journal=journal).lock_board().open_lock(0, 5) is DoorState.OPEN
    assert [e["attempt"] for e in energisings(journal)] == [1]
    assert simulator(hub).opened == [(0, 5)]


async def test_a_resent_open_and_a_jam_are_journalled(hub: Hub, journal: SqliteJournal) -> None:
    locks = HubDevices(hub, journal=journal).lock_board()
    simulator(hub).fail("deaf", times=1)
    await locks.open_lock(0, 5)
    simulator(hub).jam(0, 6)
    with pytest.raises(DeviceError):
        await locks.open_lock(0, 6, timeout=0.05)
    assert [(e["lock"], e["attempt"], e["after"]) for e in energisings(journal)] == [
        (5, 1, None),
        (5, 2, "lock.no_reply"),
        (6, 1, None),
    ]
