"""The engine's typed device doors over the real hub and simulated drivers (pty, socket, pcscd)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from kiosk.devices import HubDevices
from kiosk.flow.devices import DeviceError, DeviceKind, Devices, DoorState
from kiosk.flow.loader import DEFAULT_FLOWS_DIR
from kiosk.flow.receipts import ReceiptError, ReceiptLibrary
from peripherals.device import Device
from peripherals.events import EventType, QueueDispatcher
from peripherals.hub import DeviceConfig, Hub
from peripherals.smart_card.emulator import CardHolder, vpcd_reader_name
from tests.support.pcsc import Pcscd, pcscd, wait_for_card_state

__all__ = ["pcscd"]

CARD = {"name": "林晓测", "id_number": "110105198503122317", "address": "北京市东城区示例街道1号"}
CERT_VARS = {
    "certificate_type": "personal",
    "how": "card",
    "resident": CARD,
    "cert": {"unit": "样例食品加工厂", "insured_since": "2020-03", "months": 70,
             "verify_code": "https://si.example.invalid/verify/SI1"},
}  # fmt: skip


def _hub(*kinds: str) -> Hub:
    return Hub({kind: DeviceConfig(kind, "simulated") for kind in kinds}, simulate=True)


@pytest.fixture
def hub() -> Iterator[Hub]:
    with _hub("id_card", "scanner", "printer") as opened:
        yield opened


def _simulator(hub: Hub, kind: str) -> object:
    device = hub.by_kind(kind)
    assert device is not None
    return device.simulator  # type: ignore[attr-defined]


RECEIPTS = ReceiptLibrary(DEFAULT_FLOWS_DIR / "receipts")


def test_availability_follows_the_hub(hub: Hub) -> None:
    devices = HubDevices(hub)
    assert devices.available(DeviceKind.ID_CARD) and devices.available(DeviceKind.PRINTER)
    assert not devices.available(DeviceKind.SMART_CARD)


async def test_an_id_card_is_read_into_plain_data(hub: Hub) -> None:
    def present(kind: str, device: Device) -> None:
        device.simulator.present_card(CARD)  # type: ignore[attr-defined]

    devices = HubDevices(hub, present=present)
    card = await devices.id_card().read(timeout=5)
    assert card["name"] == "林晓测" and card["id_number"] == CARD["id_number"]
    assert "photo" not in card  # raw bytes never become flow variables


async def test_a_code_scanned_before_the_step_is_not_taken() -> None:
    events = QueueDispatcher()
    with Hub({"scanner": DeviceConfig("scanner", "simulated")}, dispatcher=events) as hub:
        scanner = _simulator(hub, "scanner")
        scanner.scan("OLD-RESIDENT")  # type: ignore[attr-defined]
        seen = events.get(timeout=5)  # the stale code has reached the driver
        assert (seen.type, seen.data.get("code")) == (EventType.CODE_SCANNED, "OLD-RESIDENT")

        def present(kind: str, device: Device) -> None:
            scanner.scan("E10000001")  # type: ignore[attr-defined]

        devices = HubDevices(hub, present=present)
        assert await devices.scanner().scan(timeout=5) == "E10000001"


async def test_cancelling_a_card_wait_frees_the_reader_within_a_slice(hub: Hub) -> None:
    _simulator(hub, "id_card").remove_card()  # type: ignore[attr-defined]
    waiting_started = threading.Event()
    devices = HubDevices(hub, present=lambda kind, device: waiting_started.set())
    waiting = asyncio.ensure_future(devices.id_card().read(timeout=60))
    assert await asyncio.to_thread(waiting_started.wait, 5)
    started = time.monotonic()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    # The reader is usable again well before the 60 s the step would have waited.
    _simulator(hub, "id_card").present_card(CARD)  # type: ignore[attr-defined]
    card = await devices.id_card().read(timeout=5)
    assert card["id_number"] == CARD["id_number"]
    assert time.monotonic() - started < 5


async def test_the_printer_door_prints_the_finished_masked_document(hub: Hub) -> None:
    # The flow layer renders; the printer door only gets the finished document.
    receipt = RECEIPTS.render("si-certificate", CERT_VARS, "zh_CN")
    devices: Devices = HubDevices(hub)
    await devices.printer().print_receipt(receipt)
    paper = _simulator(hub, "printer").paper()  # type: ignore[attr-defined]
    assert "社会保险参保证明" in paper.text
    assert "110***********2317" in paper.text and "林**" in paper.text
    assert CARD["id_number"] not in paper.text and "林晓测" not in paper.text
    assert paper.qr_codes == ["https://si.example.invalid/verify/SI1"]


async def test_printer_faults_and_missing_devices_become_keyed_errors(hub: Hub) -> None:
    devices = HubDevices(hub)
    receipt = RECEIPTS.render("si-certificate", CERT_VARS, "en")
    _simulator(hub, "printer").fail("paper_out")  # type: ignore[attr-defined]
    with pytest.raises(DeviceError) as paper_out:
        await devices.printer().print_receipt(receipt)
    assert paper_out.value.key == "printer.paper_out"
    with pytest.raises(DeviceError) as absent:
        devices.smart_card()
    assert absent.value.key == "device.unavailable"


def test_a_missing_receipt_template_is_a_keyed_error() -> None:
    with pytest.raises(ReceiptError) as missing:
        RECEIPTS.render("no-such", CERT_VARS, "en")
    assert missing.value.key == "receipt.missing"


@pytest.fixture
def lock_hub() -> Iterator[Hub]:
    # Options reach the driver only when the hub is not told to simulate: a short open timeout
    # keeps the jammed-door case quick.
    config = DeviceConfig("lock_board", "simulated", {"boards": [1, 2], "open_timeout": 0.3})
    with Hub({"locker": config}) as opened:
        yield opened


async def test_a_lock_opens_and_its_door_reads_back_through_the_typed_door(lock_hub: Hub) -> None:
    devices: Devices = HubDevices(lock_hub)
    assert devices.available(DeviceKind.LOCK_BOARD)
    locks = devices.lock_board()
    assert locks.boards == (1, 2) and locks.locks_per_board == 24
    assert await locks.door_state(2, 7) is DoorState.CLOSED
    assert await locks.open_lock(2, 7) is DoorState.OPEN
    assert await locks.door_state(2, 7) is DoorState.OPEN
    assert (await locks.door_states(2))[7] is DoorState.OPEN
    simulator = _simulator(lock_hub, "lock_board")
    assert simulator.door_open(2, 7)  # type: ignore[attr-defined]
    simulator.close_door(2, 7)  # type: ignore[attr-defined]  # the resident shuts it
    assert await locks.door_state(2, 7) is DoorState.CLOSED


async def test_lock_board_failures_become_keyed_errors(lock_hub: Hub) -> None:
    locks = HubDevices(lock_hub).lock_board()
    _simulator(lock_hub, "lock_board").jam(1, 3)  # type: ignore[attr-defined]
    with pytest.raises(DeviceError) as jammed:
        await locks.open_lock(1, 3)
    assert jammed.value.key == "lock.jammed"
    with pytest.raises(DeviceError) as unknown:
        await locks.open_lock(9, 1)
    assert unknown.value.key == "lock.unknown_board"


async def test_a_social_security_card_is_read_through_pcscd(pcscd: Pcscd) -> None:
    with _hub("smart_card") as smart:

        def present(kind: str, device: Device) -> None:
            device.simulator.present_card()  # type: ignore[attr-defined]

        devices = HubDevices(smart, present=present)
        card = await devices.smart_card().read(timeout=10)
    assert card["card_number"] and card["name"]
    assert isinstance(card["birth_date"], str)  # dates become ISO text for templates


async def test_a_card_number_waits_past_slices_without_a_card(
    pcscd: Pcscd, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A courier card shown a while after the wait began is read (each empty slice is not the
    end of the wait), and only its number is read."""
    monkeypatch.setattr("kiosk.devices.SLICE", 0.2)
    # pcscd sees a card leave only at its next poll: an earlier test's must be gone first
    assert wait_for_card_state(vpcd_reader_name(), present=False)
    with _hub("smart_card") as smart:
        late: list[threading.Timer] = []

        def present(kind: str, device: Device) -> None:
            simulator = device.simulator  # type: ignore[attr-defined]
            holder = CardHolder(card_number="K88000001")
            late.append(threading.Timer(0.7, simulator.present_card, (holder,)))
            late[0].start()

        devices = HubDevices(smart, present=present)
        try:
            assert await devices.smart_card().card_number(timeout=10) == "K88000001"
        finally:
            late[0].join()
