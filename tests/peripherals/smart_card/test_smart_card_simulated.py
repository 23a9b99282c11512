"""The `simulated` driver, the registry entries, and the `kiosk devices test` check."""

from __future__ import annotations

import importlib.util
import threading

import pytest

from peripherals import registry
from peripherals.errors import DeviceUnavailable
from peripherals.smart_card import check, simulated
from peripherals.smart_card.simulated import SimulatedSmartCardReader
from tests.support.pcsc import Pcscd, wait_for_card_state


def test_simulated_driver_reads_the_emulated_card(pcscd: Pcscd) -> None:
    device = registry.create("smart_card", "simulated", {"timeout": 1.0}, name="sc")
    assert isinstance(device, SimulatedSmartCardReader)
    with device:
        device.simulator.present_card()
        assert wait_for_card_state(device.simulator.reader_name, present=True)
        result = check.run_check(device, {"timeout": "2"})
    assert result["atr"] == device.simulator.atr.hex(" ").upper()
    assert result["name"] == "王测试" and result["birth_date"] == "1985-03-12"
    assert not device.simulator.inserted
    assert wait_for_card_state(device.simulator.reader_name, present=False)
    assert not [t for t in threading.enumerate() if t.name.startswith("ssse-card")]


def test_check_masks_every_personal_field(pcscd: Pcscd) -> None:
    personal = {"card_number", "ssn", "name", "sex", "nation", "birth_date", "birthplace"}
    assert personal <= check.PERSONAL_FIELDS
    with SimulatedSmartCardReader(timeout=1.0) as device:
        device.simulator.fail("auth_required")
        device.simulator.present_card()
        assert wait_for_card_state(device.simulator.reader_name, present=True)
        result = check.run_check(device, {"timeout": "2"})
    assert result["readable_fields"] == ["card_number"]
    assert result["ssn"] is None
    assert wait_for_card_state(device.simulator.reader_name, present=False)


def test_simulated_without_pcscd_names_what_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_service() -> list[str]:
        raise DeviceUnavailable("the PC/SC service is not running", code="smart_card.no_service")

    monkeypatch.setattr(simulated, "list_readers", no_service)
    with pytest.raises(DeviceUnavailable) as caught:
        SimulatedSmartCardReader().open()
    assert caught.value.code == "smart_card.no_vpcd"
    assert "pcscd" in str(caught.value) and "vsmartcard-vpcd" in str(caught.value)


def test_simulated_without_vpcd_reader_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simulated, "list_readers", lambda: ["ACS ACR39U 00 00"])
    with pytest.raises(DeviceUnavailable, match="Virtual PCD 00 00"):
        SimulatedSmartCardReader().open()


def test_missing_pyscard_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DeviceUnavailable, match="pip install pyscard") as caught:
        registry.create("smart_card", "pcsc")
    assert "pcscd" in str(caught.value)
