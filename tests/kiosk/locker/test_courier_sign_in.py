"""Courier sign-in: a code or a card (allow list, else the courier back office); misses of
either lock the sign-in out, each journaled by a keyed tag, never the code or card number."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.clock import ManualClock
from kiosk.flow.locker import LockerError
from kiosk.flow.services import BackendError
from kiosk.locker.config import BoardSpec, CourierCard, LockerConfig
from kiosk.locker.demo_layout import grid
from kiosk.locker.inventory import Inventory
from kiosk.locker.layout import Bus, build_layout
from kiosk.locker.secret import Keyed, load_or_create
from kiosk.locker.service import LockerService
from kiosk.storage.database import Database
from kiosk.storage.journal import SqliteJournal

ALLOWED = "K88000001"
KNOWN = {"K88000002": ("C0002", "中通快递"), "880001": ("C0001", "顺丰速运")}


class CourierOffice:
    """The courier back office: knows a code and a card; `down` when unreachable."""

    def __init__(self) -> None:
        self.down = False
        self.asked: list[dict[str, Any]] = []

    async def request(self, backend: str, method: str, path: str, body: Any = None) -> Any:
        if self.down:
            raise BackendError("backend.unreachable", "down")
        self.asked.append(body)
        known = KNOWN.get(body.get("card") or body.get("code"))
        if known is None:
            raise BackendError("backend.rejected", "403 unknown_courier")
        return {"courier": known[0], "company": known[1]}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1_800_000_000)


@pytest.fixture
def office() -> CourierOffice:
    return CourierOffice()


@pytest.fixture
def locker(tmp_path: Path, clock: ManualClock, office: CourierOffice) -> Iterator[LockerService]:
    config = LockerConfig(
        boards={"b1": BoardSpec(family="8a", address=1)},
        cabinets=[grid("A", "b1", 2, 3)],
        courier_cards={ALLOWED: CourierCard(courier="C0009", company="顺丰速运")},
        courier_failures=3,
        lockout_seconds=60,
    )
    layout = build_layout(config, {"lock_board": Bus("8a", (1,), 24)})
    db = Database.in_dir(tmp_path)
    journal = SqliteJournal(db, "lk-1", clock=clock)
    inventory = Inventory(db, layout, Keyed(load_or_create(tmp_path / "k")), clock, journal)
    service = LockerService(
        config, inventory, doors=lambda: None,  # type: ignore[arg-type,return-value]
        backends=office, outbox=None, journal=journal, clock=clock,  # type: ignore[arg-type]
        terminal="lk-1",
    )  # fmt: skip
    yield service
    db.close()


def refused(call: Any) -> str:
    with pytest.raises(LockerError) as caught:
        asyncio.run(call)
    return caught.value.key


def test_a_card_on_the_allow_list_signs_in_with_the_back_office_down(
    locker: LockerService, office: CourierOffice
) -> None:
    office.down = True
    assert asyncio.run(locker.sign_in_card(ALLOWED)) == {"courier": "C0009", "company": "顺丰速运"}
    assert refused(locker.sign_in_card("K88000002")) == "locker.courier_offline"


def test_another_card_is_checked_with_the_courier_back_office(
    locker: LockerService, office: CourierOffice
) -> None:
    assert asyncio.run(locker.sign_in_card("K88000002"))["company"] == "中通快递"
    assert office.asked == [{"card": "K88000002", "terminal": "lk-1"}]
    assert refused(locker.sign_in_card("K88000009")) == "locker.card_refused"


def test_misses_by_code_and_card_lock_the_sign_in_out_for_a_while(
    locker: LockerService, clock: ManualClock
) -> None:
    assert refused(locker.sign_in("111111")) == "locker.courier_refused"
    assert refused(locker.sign_in_card("K88000009")) == "locker.card_refused"
    assert refused(locker.sign_in("222222")) == "locker.courier_locked_out"  # the third miss
    # locked out: even a good card or code is not taken now
    assert refused(locker.sign_in_card(ALLOWED)) == "locker.courier_locked_out"
    assert refused(locker.sign_in("880001")) == "locker.courier_locked_out"
    clock.advance(61)
    assert asyncio.run(locker.sign_in("880001"))["courier"] == "C0001"
    locker.journal.flush()  # type: ignore[attr-defined]
    attempts = [e for e in locker.journal.recent(50) if e.event == "attempt"]  # type: ignore[attr-defined]
    assert [e.detail["ok"] for e in reversed(attempts)] == [False, False, False, True]
    logged = repr(attempts)
    for secret in ("111111", "222222", "K88000009", "880001"):
        assert secret not in logged
