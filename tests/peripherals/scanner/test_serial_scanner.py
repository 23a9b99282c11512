"""The real scanner-serial driver reading a simulated scanner over a pty."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from peripherals import registry
from peripherals.errors import DeviceTimeout, DeviceUnavailable
from peripherals.events import EventType, QueueDispatcher
from peripherals.scanner.check import PERSONAL_FIELDS, run_check
from peripherals.scanner.serial_scanner import SerialCodeScanner
from peripherals.scanner.simulated import SimulatedCodeScanner
from peripherals.scanner.simulator import ScannerSimulator


@pytest.fixture
def sim() -> Iterator[ScannerSimulator]:
    with ScannerSimulator() as simulator:
        yield simulator


@pytest.fixture
def events() -> QueueDispatcher:
    return QueueDispatcher()


@pytest.fixture
def scanner(sim: ScannerSimulator, events: QueueDispatcher) -> Iterator[SerialCodeScanner]:
    with SerialCodeScanner(name="scanner", dispatcher=events, port=sim.path) as device:
        yield device


def test_ascii_code_and_its_event(
    sim: ScannerSimulator, scanner: SerialCodeScanner, events: QueueDispatcher
) -> None:
    sim.scan("6901234567892")
    event = events.get(timeout=2)
    assert (event.type, event.device, event.data) == (
        EventType.CODE_SCANNED,
        "scanner",
        {"code": "6901234567892"},
    )
    assert scanner.read_code(2, discard_pending=False) == "6901234567892"


def test_chinese_utf8_qr_content(sim: ScannerSimulator, scanner: SerialCodeScanner) -> None:
    text = "https://example.gov.cn/办事?事项=社保证明&编号=A001"
    sim.scan(text)
    assert scanner.read_code(2, discard_pending=False) == text


def test_gb18030_fallback(sim: ScannerSimulator, scanner: SerialCodeScanner) -> None:
    sim.scan("居民取件码：取件 8812", encoding="gb18030")
    assert scanner.read_code(2, discard_pending=False) == "居民取件码：取件 8812"


@pytest.mark.parametrize("terminator", [b"\r", b"\r\n", b"\n"])
def test_cr_crlf_and_lf_endings(
    sim: ScannerSimulator, scanner: SerialCodeScanner, terminator: bytes
) -> None:
    sim.scan("ABC-123", terminator=terminator)
    sim.scan("DEF-456", terminator=terminator)
    assert scanner.read_code(2, discard_pending=False) == "ABC-123"
    assert scanner.read_code(2, discard_pending=False) == "DEF-456"


def test_code_split_across_writes_is_joined(
    sim: ScannerSimulator, scanner: SerialCodeScanner, events: QueueDispatcher
) -> None:
    sim.send_raw("取件码 ".encode()[:5])
    sim.send_raw("取件码 ".encode()[5:] + b"777\r")
    assert events.get(timeout=2).data["code"] == "取件码 777"


def test_garbage_bytes_are_dropped_and_the_next_code_read(
    sim: ScannerSimulator, scanner: SerialCodeScanner, events: QueueDispatcher
) -> None:
    sim.send_raw(b"\x00\xff\x80\x07\r")
    sim.scan("GOOD-1")
    assert events.get(timeout=2).data["code"] == "GOOD-1"
    assert events.queue.empty()


def test_garbage_fault_gives_no_code(sim: ScannerSimulator, scanner: SerialCodeScanner) -> None:
    sim.fail("garbage")
    sim.scan("NEVER-SEEN")
    with pytest.raises(DeviceTimeout):
        scanner.read_code(0.3, discard_pending=False)
    sim.fail(None)
    sim.scan("AFTER")
    assert scanner.read_code(2, discard_pending=False) == "AFTER"


def test_timeout_when_nothing_is_scanned(scanner: SerialCodeScanner) -> None:
    started = time.monotonic()
    with pytest.raises(DeviceTimeout) as exc:
        scanner.read_code(0.2)
    assert exc.value.code == "scanner.no_code"
    assert time.monotonic() - started < 1


def test_stale_codes_are_discarded_by_default(
    sim: ScannerSimulator, scanner: SerialCodeScanner, events: QueueDispatcher
) -> None:
    sim.scan("PREVIOUS-RESIDENT")
    events.get(timeout=2)
    with pytest.raises(DeviceTimeout):
        scanner.read_code(0.2)


def test_bad_port_is_unavailable() -> None:
    with pytest.raises(DeviceUnavailable):
        SerialCodeScanner(port="/dev/does-not-exist-scanner").open()
    with pytest.raises(DeviceUnavailable):
        SerialCodeScanner().open()


def test_simulated_driver_and_check() -> None:
    events = QueueDispatcher()
    device = registry.create("scanner", "simulated", dispatcher=events)
    assert isinstance(device, SimulatedCodeScanner)
    with device:
        device.simulator.scan("PREVIOUS")
        events.get(timeout=2)
        device.simulator.fail("silent")
        device.simulator.scan("LOST")
        with pytest.raises(DeviceTimeout):
            run_check(device, {"timeout": "0.2"})  # PREVIOUS was discarded, LOST never sent
        device.simulator.fail(None)
        later = threading.Timer(0.05, device.simulator.scan, args=("取件码 4321",))
        later.start()
        try:
            result = run_check(device, {"timeout": "2"})
        finally:
            later.join()
    assert result == {"code": "取件码 4321", "length": 8, "ascii": False}
    assert "code" in PERSONAL_FIELDS
