"""The real `escpos-network` driver against the simulated printer on a real loopback socket."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from peripherals.errors import (
    DeviceFault,
    DeviceTimeout,
    DeviceUnavailable,
    MediaError,
    ProtocolError,
)
from peripherals.events import EventType, QueueDispatcher
from peripherals.printer.base import PrinterFeature
from peripherals.printer.decode import decode
from peripherals.printer.network import NetworkPrinter
from peripherals.printer.receipt import Line, Qr, Receipt, Row
from peripherals.printer.simulator import PrinterSimulator
from peripherals.status import State

RECEIPT = Receipt(
    title="社保参保证明",
    lines=(Line("姓名：王堃"), Line("办理结果：成功！"), Line("「」")),
    rows=(Row("业务", "参保证明打印"), Row("页数", "1")),
    qr=Qr("https://example.cn/verify?code=堃2024", size=6, description="扫码查验真伪"),
    footer=(Line("谢谢使用", align="center"),),
)


@pytest.fixture
def simulator() -> Iterator[PrinterSimulator]:
    with PrinterSimulator() as sim:
        yield sim


@pytest.fixture
def printer(simulator: PrinterSimulator) -> Iterator[NetworkPrinter]:
    device = NetworkPrinter(host="127.0.0.1", port=simulator.port, timeout=1.0)
    with device:
        yield device


def _read_qr(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


def test_chinese_receipt_arrives_as_text_and_the_native_qr_reads_back_from_the_preview(
    printer: NetworkPrinter, simulator: PrinterSimulator, tmp_path: Path
) -> None:
    printer.print_receipt(RECEIPT)
    assert simulator.wait_for_cuts(1)
    paper = simulator.paper()
    for text in ("社保参保证明", "姓名：王堃", "办理结果：成功！", "参保证明打印", "扫码查验真伪"):
        assert text in paper.text
    assert "?" not in paper.text
    assert paper.qr_codes == ["https://example.cn/verify?code=堃2024"]
    png = simulator.save_preview(tmp_path / "receipt.png")
    assert _read_qr(Image.open(png)) == ["https://example.cn/verify?code=堃2024"]
    assert paper.unknown == []


def test_image_qr_reads_back_from_the_preview_and_from_the_raster_in_the_bytes(
    simulator: PrinterSimulator,
) -> None:
    with NetworkPrinter(host="127.0.0.1", port=simulator.port, qr="image", timeout=1.0) as device:
        device.print_receipt(RECEIPT)
    assert simulator.wait_for_cuts(1)
    assert simulator.paper().qr_codes == []
    assert _read_qr(simulator.preview()) == ["https://example.cn/verify?code=堃2024"]
    recovered = decode(simulator.received()).images
    assert ["https://example.cn/verify?code=堃2024"] in [_read_qr(img) for img in recovered]


def test_punctuation_only_text_is_printed_as_an_image_not_question_marks(
    printer: NetworkPrinter, simulator: PrinterSimulator
) -> None:
    printer.print_receipt(Receipt(lines=(Line("「」《》"),)))
    assert simulator.wait_for_cuts(1)
    paper = simulator.paper()
    assert "?" not in paper.text and len(paper.images) == 1


def test_features_and_status(printer: NetworkPrinter) -> None:
    assert printer.features == (
        PrinterFeature.CUT | PrinterFeature.QR | PrinterFeature.STATUS | PrinterFeature.IMAGE
    )
    status = printer.status()
    assert status.online and status.can_print
    assert printer.health().state is State.ONLINE


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("paper_out", "printer.paper_out"),
        ("cover_open", "printer.cover_open"),
        ("offline", "printer.offline"),
    ],
)
def test_faults_refuse_before_anything_is_printed(
    printer: NetworkPrinter, simulator: PrinterSimulator, fault: str, code: str
) -> None:
    simulator.fail(fault)
    before = len(simulator.received())
    with pytest.raises(MediaError) as info:
        printer.print_receipt(RECEIPT)
    assert info.value.code == code
    # Only the four status queries went out; not one byte of the receipt.
    assert simulator.received()[before:] == b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"
    assert printer.health().code == code


def test_cutter_error_is_a_device_fault(
    printer: NetworkPrinter, simulator: PrinterSimulator
) -> None:
    simulator.fail("cutter_error")
    with pytest.raises(DeviceFault) as info:
        printer.print_receipt(RECEIPT)
    assert info.value.code == "printer.cutter_error"
    assert printer.health().state is State.HARDWARE_ERROR


def test_paper_near_end_prints_and_raises_a_paper_low_event(simulator: PrinterSimulator) -> None:
    events = QueueDispatcher()
    simulator.fail("paper_near_end")
    with NetworkPrinter(host="127.0.0.1", port=simulator.port, dispatcher=events) as device:
        device.print_receipt(RECEIPT)
        health = device.health()
    assert simulator.wait_for_cuts(1)
    assert (health.state, health.code) == (State.ONLINE, "printer.paper_low")
    assert events.get(timeout=1).type is EventType.PAPER_LOW


def test_connection_dropped_mid_receipt_is_reported_as_interrupted(
    printer: NetworkPrinter, simulator: PrinterSimulator
) -> None:
    simulator.fail("drop_mid_receipt", after=200)
    with pytest.raises(DeviceFault) as info:
        printer.print_receipt(RECEIPT)
    assert info.value.code == "printer.interrupted"
    assert simulator.paper().cuts == 0
    # The printer is back: the driver reconnects for the next status query.
    assert printer.status().can_print


def test_printer_going_offline_mid_receipt_is_reported_as_interrupted(
    printer: NetworkPrinter, simulator: PrinterSimulator
) -> None:
    simulator.fail("paper_out", after=300)
    with pytest.raises(DeviceFault) as info:
        printer.print_receipt(RECEIPT)
    assert info.value.code == "printer.interrupted"
    assert simulator.paper().cuts == 0


def test_silence_on_status_is_a_timeout_within_the_timeout(
    printer: NetworkPrinter, simulator: PrinterSimulator
) -> None:
    simulator.fail("silent")
    start = time.monotonic()
    with pytest.raises(DeviceTimeout):
        printer.status(timeout=0.3)
    assert time.monotonic() - start < 1.0
    with pytest.raises(DeviceTimeout):
        printer.print_receipt(RECEIPT, timeout=0.3)
    assert simulator.paper().items == []
    assert printer.health().state is State.OFFLINE


def test_garbage_on_status_is_a_protocol_error(
    printer: NetworkPrinter, simulator: PrinterSimulator
) -> None:
    simulator.fail("garbage")
    with pytest.raises(ProtocolError) as info:
        printer.status()
    assert info.value.code == "printer.bad_status"
    with pytest.raises(ProtocolError):
        printer.print_receipt(RECEIPT)
    assert simulator.paper().items == []


def test_nobody_listening_is_device_unavailable() -> None:
    with PrinterSimulator() as sim:
        port = sim.port
    with pytest.raises(DeviceUnavailable) as info:
        NetworkPrinter(host="127.0.0.1", port=port, timeout=0.5).open()
    assert info.value.code == "printer.unreachable"


def _id_number(body17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body17, weights, strict=True))
    return body17 + "10X98765432"[total % 11]


def test_a_receipt_built_from_masked_data_carries_no_full_id_number(
    printer: NetworkPrinter, simulator: PrinterSimulator
) -> None:
    full = _id_number("11010519491231002")  # an invented resident
    masked = full[:6] + "*" * 8 + full[-4:]
    printer.print_receipt(
        Receipt(title="参保证明", rows=(Row("身份证号", masked), Row("姓名", "王*")))
    )
    assert simulator.wait_for_cuts(1)
    text = simulator.paper().text
    assert masked in text
    assert full not in text
    assert not re.search(r"\d{17}[\dXx]", text)
