"""The other transports: serial (over the simulator's pty), device file, USB, and the registry."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from peripherals import registry
from peripherals.errors import DeviceUnavailable, MissingDependency
from peripherals.printer.base import PrinterFeature
from peripherals.printer.decode import decode
from peripherals.printer.file import FilePrinter
from peripherals.printer.receipt import Line, Receipt
from peripherals.printer.serial_port import SerialPrinter
from peripherals.printer.simulator import PrinterSimulator
from peripherals.status import State

RECEIPT = Receipt(title="取件通知", lines=(Line("取件码：428913"),))


def test_serial_driver_prints_and_reads_status_over_a_pty() -> None:
    with PrinterSimulator(pty=True) as sim:
        assert sim.pty_path is not None
        with SerialPrinter(port=sim.pty_path, baudrate=115200, timeout=1.0) as printer:
            assert printer.status().can_print
            printer.print_receipt(RECEIPT)
            assert sim.wait_for_cuts(1)
            sim.fail("paper_out")
            assert printer.health().code == "printer.paper_out"
        assert "取件码：428913" in sim.paper().text


def test_file_driver_writes_the_rendered_bytes_and_has_no_status(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    target.touch()
    with FilePrinter(path=str(target)) as printer:
        assert not printer.features & PrinterFeature.STATUS
        printer.print_receipt(RECEIPT)
        assert printer.health().state is State.ONLINE
        with pytest.raises(DeviceUnavailable) as info:
            printer.status()
        assert info.value.code == "printer.no_status"
        expected = printer.render(RECEIPT)
    assert target.read_bytes() == expected
    assert "取件码：428913" in decode(expected).text


def test_file_driver_reports_a_missing_device(tmp_path: Path) -> None:
    with pytest.raises(DeviceUnavailable) as info:
        FilePrinter(path=str(tmp_path / "no" / "lp0")).open()
    assert info.value.code == "printer.unreachable"


@pytest.mark.skipif(importlib.util.find_spec("usb") is not None, reason="pyusb is installed")
def test_usb_driver_without_pyusb_names_the_package() -> None:
    with pytest.raises(MissingDependency, match="pip install pyusb"):
        registry.create("printer", "escpos-usb", {"vendor_id": "0x0416", "product_id": "0x5011"})


def test_bad_options_are_device_unavailable_not_a_traceback() -> None:
    with pytest.raises(DeviceUnavailable) as info:
        registry.create("printer", "simulated", {"profile": "no-such-model"})
    assert info.value.code == "printer.bad_option"
    with pytest.raises(DeviceUnavailable):
        registry.create("printer", "escpos-network", {"hostname": "x"})


def test_simulated_driver_from_the_registry_prints_and_exposes_its_simulator(
    tmp_path: Path,
) -> None:
    printer = registry.create("printer", "simulated", name="receipt")
    with printer:
        printer.print_receipt(RECEIPT)  # type: ignore[attr-defined]
        sim = printer.simulator  # type: ignore[attr-defined]
        assert sim.wait_for_cuts(1)
        assert "取件码：428913" in sim.paper().text
        assert sim.save_preview(tmp_path / "p.png").stat().st_size > 0
    assert not printer.is_open
    assert sim._thread is None  # stopped with the device
