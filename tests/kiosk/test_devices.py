"""The engine's device door over the real hub and simulated drivers (pty, socket, pcscd)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.devices import HubDevices
from kiosk.flow.loader import DEFAULT_FLOWS_DIR
from kiosk.flow.services import DeviceError
from kiosk.receipts import ReceiptLibrary
from peripherals.device import Device
from peripherals.events import EventType, QueueDispatcher
from peripherals.hub import DeviceConfig, Hub
from tests.support.pcsc import Pcscd, pcscd

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


def test_availability_follows_the_hub(hub: Hub) -> None:
    devices = HubDevices(hub, ReceiptLibrary(DEFAULT_FLOWS_DIR / "receipts"))
    assert devices.available("id_card") and devices.available("printer")
    assert not devices.available("smart_card")


async def test_an_id_card_is_read_into_plain_data(hub: Hub) -> None:
    def present(kind: str, device: Device) -> None:
        device.simulator.present_card(CARD)  # type: ignore[attr-defined]

    devices = HubDevices(hub, ReceiptLibrary(DEFAULT_FLOWS_DIR / "receipts"), present=present)
    card = await devices.perform("id_card", "read", {"timeout": 5})
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

        devices = HubDevices(hub, ReceiptLibrary(DEFAULT_FLOWS_DIR / "receipts"), present=present)
        assert await devices.perform("scanner", "scan", {"timeout": 5}) == "E10000001"


async def test_cancelling_a_card_wait_frees_the_reader_within_a_slice(hub: Hub) -> None:
    _simulator(hub, "id_card").remove_card()  # type: ignore[attr-defined]
    waiting_started = threading.Event()
    devices = HubDevices(
        hub,
        ReceiptLibrary(DEFAULT_FLOWS_DIR / "receipts"),
        present=lambda kind, device: waiting_started.set(),
    )
    waiting = asyncio.ensure_future(devices.perform("id_card", "read", {"timeout": 60}))
    assert await asyncio.to_thread(waiting_started.wait, 5)
    started = time.monotonic()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    # The reader is usable again well before the 60 s the step would have waited.
    _simulator(hub, "id_card").present_card(CARD)  # type: ignore[attr-defined]
    card = await devices.perform("id_card", "read", {"timeout": 5})
    assert card["id_number"] == CARD["id_number"]
    assert time.monotonic() - started < 5


async def test_a_receipt_prints_masked(hub: Hub) -> None:
    devices = HubDevices(hub, ReceiptLibrary(DEFAULT_FLOWS_DIR / "receipts"))
    params = {"receipt": "si-certificate", "variables": CERT_VARS, "language": "zh_CN"}
    assert await devices.perform("printer", "print", params) == {"printed": True}
    paper = _simulator(hub, "printer").paper()  # type: ignore[attr-defined]
    assert "110***********2317" in paper.text and "林**" in paper.text
    assert CARD["id_number"] not in paper.text and "林晓测" not in paper.text
    assert paper.qr_codes == ["https://si.example.invalid/verify/SI1"]


async def test_printer_faults_and_bad_templates_become_keyed_errors(hub: Hub) -> None:
    devices = HubDevices(hub, ReceiptLibrary(DEFAULT_FLOWS_DIR / "receipts"))
    params = {"receipt": "si-certificate", "variables": CERT_VARS, "language": "en"}
    _simulator(hub, "printer").fail("paper_out")  # type: ignore[attr-defined]
    with pytest.raises(DeviceError) as paper_out:
        await devices.perform("printer", "print", params)
    assert paper_out.value.key == "printer.paper_out"
    with pytest.raises(DeviceError) as missing:
        await devices.perform("printer", "print", {**params, "receipt": "no-such"})
    assert missing.value.key == "receipt.missing"
    with pytest.raises(DeviceError) as absent:
        await devices.perform("smart_card", "read", {})
    assert absent.value.key == "device.unavailable"


async def test_a_social_security_card_is_read_through_pcscd(pcscd: Pcscd, tmp_path: Path) -> None:
    with _hub("smart_card") as smart:

        def present(kind: str, device: Device) -> None:
            device.simulator.present_card()  # type: ignore[attr-defined]

        devices = HubDevices(smart, ReceiptLibrary(tmp_path), present=present)
        card = await devices.perform("smart_card", "read", {"timeout": 10})
    assert card["card_number"] and card["name"]
    assert isinstance(card["birth_date"], str)  # dates become ISO text for templates
