"""The hub's power cycle: a device closed and opened again, and one missing at start brought back
once it is there (a scanner plugged in later)."""

from __future__ import annotations

import os
import tty
from pathlib import Path

from peripherals.hub import DeviceConfig, Hub
from peripherals.status import State


def test_reopen_closes_and_opens_a_device_or_tries_a_missing_one_again(tmp_path: Path) -> None:
    port = tmp_path / "ttyUSB0"
    hub = Hub(
        {
            "printer": DeviceConfig("printer", "simulated"),
            "scanner": DeviceConfig("scanner", "scanner-serial", {"port": str(port)}),
        }
    )
    master, slave = os.openpty()
    try:
        with hub:
            printer = hub.get("printer")
            assert printer is not None and hub.get("scanner") is None
            assert hub.names() == ["printer", "scanner"]
            assert hub.reopen("printer").state is State.ONLINE
            assert hub.get("printer") is printer and printer.is_open
            assert hub.reopen("scanner").state is State.NO_DEVICE  # still not plugged in
            tty.setraw(slave)
            port.symlink_to(os.ttyname(slave))
            assert hub.reopen("scanner").state is State.ONLINE
            scanner = hub.get("scanner")
            assert scanner is not None and scanner.is_open
        assert not printer.is_open and not scanner.is_open
    finally:
        os.close(master)
        os.close(slave)


def test_a_device_opened_on_demand_opens_when_first_asked_for(tmp_path: Path) -> None:
    missing = tmp_path / "ttyUSB9"
    hub = Hub(
        {
            "printer": DeviceConfig("printer", "simulated"),
            "scanner": DeviceConfig("scanner", "scanner-serial", {"port": str(missing)}),
        },
        on_demand={"printer", "scanner"},
    )
    with hub:
        assert hub.get("printer") is None  # not opened by `open`
        assert hub.health()["printer"].state is State.STARTING
        printer = hub.by_kind("printer")
        assert printer is not None and printer.is_open and hub.get("printer") is printer
        assert hub.health()["printer"].state is State.ONLINE
        assert hub.by_kind("scanner") is None  # tried once, reported as at `open`
        assert hub.health()["scanner"].state is State.NO_DEVICE
    assert not printer.is_open
