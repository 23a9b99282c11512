"""The service menu's locker page on a whole simulated locker, headless: the cabinets drawn from
the locker's inventory, a jammed door shown in words, compartments out of service and back,
reconciliation's disagreements, a problem resolved, a refused parcel labelled, and
parcels handed to their residents (an unpaid fee waived by an administrator only); the audit
row by row."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from test_app_kiosk import at_attract, device, press, until, view
from test_service_menu import (
    ADMIN_PIN,
    TECH_PIN,
    audit,
    on_page,
    open_menu,
    pick,
    rows,
    running,
    screen_text,
)

from kiosk.ui.touch_kiosk import TouchKiosk
from peripherals.keypad.keys import Key

# the locker's devices, its lock boards quick to call a door jammed (the default waits 2 s)
DEVICES = """
[devices.lock_board]
driver = "simulated"
open_timeout = 0.4

[devices.keypad]
driver = "simulated"

[devices.printer]
driver = "simulated"

[devices.speaker]
driver = "simulated"
"""


@pytest.fixture
async def locker(window: Any, tmp_path: Path) -> AsyncIterator[TouchKiosk]:
    """A parcel locker (the demo layout: cabinets A and B on boards 1 and 2)."""
    async for k in running(window, tmp_path, "locker", devices=DEVICES):
        yield k


async def compartment(k: TouchKiosk, what: str, cabinet: str, number: int) -> None:
    """Pick a compartment for `what`: its cabinet, then its number typed on the keypad."""
    await pick(k, cabinet, f"locker.{what}.number")
    press(k, *(Key(d) for d in str(number)), Key.ENTER)


async def test_the_locker_page_from_a_jammed_door_to_a_parcel_handed_over(
    locker: TouchKiosk,
) -> None:
    services = locker.services
    assert services is not None and services.locker is not None
    inventory = services.locker.inventory
    clock = locker.clock_for_tests  # type: ignore[attr-defined]
    parcel = inventory.seed(
        "A-05",
        waybill="SF1234567890",
        company="顺丰速运",
        phone="13800138000",
        code="20481357",
        deposited_at=clock.now(),
        storage_hours=24,
    )
    refused = inventory.seed("A-06", waybill="YT5550001111", company="圆通速递",
                             phone="13900139000", code="31415926", deposited_at=clock.now(),
                             storage_hours=24)  # fmt: skip
    inventory.refuse(refused, "by the recipient")
    board = device(locker, "lock_board").simulator
    board.jam(1, 3)
    board.open_door(2, 7)  # B-07, left open
    await open_menu(locker, TECH_PIN)
    assert [o.value for o in view(locker).prompt.options] == [
        "status", "selftest", "locker", "exit"
    ]  # fmt: skip
    await pick(locker, "locker", "locker")
    shown = rows(locker)
    assert shown["空闲"] == "45" and shown["有包裹"] == "1" and shown["门开着"] == "B-07"
    assert shown["停用"] == "—" and shown["待处理问题"] == "0" and shown["已拒收"] == "A-06"
    with Image.open(view(locker).prompt.image) as drawn:
        assert drawn.width > 900  # two cabinets of four columns side by side
        colours = {colour for _n, colour in drawn.convert("RGB").getcolors(1 << 16) or []}
        assert (247, 201, 154) in colours  # the refused compartment's colour

    # a jammed door, said in words
    await pick(locker, "open", "locker.open.cabinet")
    await compartment(locker, "open", "A", 3)
    await until(lambda: on_page(locker, "locker.open.reason"), "why")
    assert view(locker).prompt.title == "为什么打开 A-03？"
    await pick(locker, "inspection", "locker")
    assert view(locker).prompt.text == "A-03 未能打开：柜门卡住（锁已动作，门未打开） (lock.jammed)"
    assert "柜门卡住" in screen_text(locker)

    # out of service in the locker's inventory: no flow offers it now
    await pick(locker, "out", "locker.out.cabinet")
    await compartment(locker, "out", "A", 3)
    await until(lambda: on_page(locker, "locker.out.reason"), "why")
    await pick(locker, "jammed", "locker")
    assert rows(locker)["停用"] == "A-03"
    assert inventory.compartment_state("A-03")[0] == "out_of_service"
    assert "A-03" not in [c.id for c in inventory.free_fitting("S")]

    # reconciliation: the open door and the compartment out of service are listed
    await pick(locker, "reconcile", "locker.reconciled")
    listed = rows(locker)
    assert listed["发现的不一致"] == "1"
    assert listed["B-07"].startswith("门开着 · ") and listed["A-03"].startswith("柜门卡住 · ")
    press(locker, Key.CLEAR)
    await until(lambda: on_page(locker, "locker"), "the locker page")
    assert rows(locker)["待处理问题"] == "2"

    # back in service: free again, its problem resolved
    await pick(locker, "in", "locker.in")
    await pick(locker, "A-03", "locker")
    assert rows(locker)["停用"] == "—" and rows(locker)["待处理问题"] == "1"
    assert inventory.compartment_state("A-03")[0] == "free"

    # the open door's problem (the only one open) resolved with a reason
    await pick(locker, "resolve", "locker.resolve.reason")
    assert view(locker).prompt.title == "B-07：门开着，如何处理的？"
    await pick(locker, "checked_ok", "locker")
    assert (
        rows(locker)["待处理问题"] == "0"
        and view(locker).prompt.text == "B-07 的问题已标记为已处理。"
    )

    # a parcel handed to its resident: masked on screen, its code dead, the record sent
    await pick(locker, "retrieve", "locker.retrieve.cabinet")
    await compartment(locker, "retrieve", "A", 5)
    await until(lambda: on_page(locker, "locker.retrieve.parcel"), "the parcel")
    assert rows(locker)["收件人手机"] == "138****8000" and rows(locker)["运单号"] == "…7890"
    assert re.search(r"1\d{10}|SF\d{10}", screen_text(locker)) is None
    await pick(locker, "lost_code", "locker")
    assert view(locker).prompt.text == "A-05 已打开，请将包裹交给居民。"
    assert inventory.parcel(parcel).status == "picked_up"
    assert inventory.parcels_for_code("20481357") == []
    assert rows(locker)["有包裹"] == "0"

    # a silent board: its doors unknown, said in words
    board.fail("silent", board=2)
    await pick(locker, "refresh", "locker")
    await until(lambda: on_page(locker, "locker") and "无应答" in view(locker).prompt.text,
                "the locker page read again")  # fmt: skip
    assert view(locker).prompt.text == "锁控板 2 无应答，其格口的门状态未知。"
    assert rows(locker)["门状态未知"] == "B-01、B-02、B-03、B-04、B-05、B-06、B-07、B-08… (24)"
    board.fail(None)

    # an overdue parcel: a technician may not waive its fee
    overdue = inventory.seed("B-02", waybill="ZT7770002222", company="中通快递",
                             phone="13700137000", code="27182818",
                             deposited_at=clock.now() - 3 * 86400, storage_hours=24)  # fmt: skip
    await pick(locker, "retrieve", "locker.retrieve.cabinet")
    await compartment(locker, "retrieve", "B", 2)
    await until(lambda: on_page(locker, "locker.retrieve.parcel"), "the overdue parcel")
    assert rows(locker)["超期费用（元）"] == "2.00"
    await pick(locker, "needs_help", "locker")
    assert view(locker).prompt.text.endswith("或请管理员登录后免除。")
    assert inventory.parcel(overdue).status == "stored"

    done = [(e.removeprefix("service."), d["outcome"], d.get("compartment"), d.get("reason"),
             d.get("code")) for s, e, d in audit(locker) if s == "locker"]  # fmt: skip
    assert done == [
        ("open", "ok", None, None, None),
        ("door_open", "failed", "A-03", "inspection", "lock.jammed"),
        ("out_of_service", "ok", "A-03", "jammed", None),
        ("reconcile", "ok", None, None, None),
        ("back_in_service", "ok", "A-03", None, None),
        ("resolve_problem", "ok", "B-07", "checked_ok", None),
        ("retrieve_for_resident", "ok", "A-05", "lost_code", None),
        ("retrieve_for_resident", "refused", "B-02", "needs_help", "locker.fee_unpaid"),
    ]
    assert all(d["who"] == "pin:tech" for s, _e, d in audit(locker) if s == "locker")

    # an administrator waives it, with a reason: the door opens, the courier is told
    press(locker, Key(str(len(view(locker).prompt.options))))  # back
    await until(lambda: on_page(locker, "home"), "home")
    press(locker, Key(str(len(view(locker).prompt.options))))  # leave
    await until(at_attract(locker), "the attract screen")
    await open_menu(locker, ADMIN_PIN)
    await pick(locker, "locker", "locker")
    await pick(locker, "retrieve", "locker.retrieve.cabinet")
    await compartment(locker, "retrieve", "B", 2)
    await until(lambda: on_page(locker, "locker.retrieve.parcel"), "the overdue parcel")
    await pick(locker, "needs_help", "locker.retrieve.waive")
    assert view(locker).prompt.title == "免除 B-02 的 2.00 元超期费用？"
    await pick(locker, "hardship", "locker")
    assert view(locker).prompt.text == "B-02 已打开，请将包裹交给居民。"
    assert (
        inventory.parcel(overdue).status == "picked_up" and inventory.parcel(overdue).fee_paid == 0
    )
    assert "fee_waived" in inventory.history(overdue)
    admin = [(e.removeprefix("service."), d["outcome"], d.get("amount"), d.get("waive_reason"))
             for s, e, d in audit(locker) if s == "locker" and d["who"] == "pin:admin"]  # fmt: skip
    assert admin == [
        ("open", "ok", None, None),
        ("waive_fee", "ok", 200, "hardship"),
        ("retrieve_for_resident", "ok", None, None),
    ]
    retrieval = next(d for _s, e, d in audit(locker) if e == "service.retrieve_for_resident")
    assert retrieval["parcel"] == parcel and "13800138000" not in repr(retrieval)
    assert "13800138000" not in repr(services.journal.recent(500))
