"""The `simulated` driver through the registry, and the device check."""

from __future__ import annotations

import pytest

from peripherals import registry
from peripherals.errors import MediaError
from peripherals.id_card.check import PERSONAL_FIELDS, run_check
from peripherals.id_card.id_number import check_character, is_valid
from peripherals.id_card.simulated import SimulatedIdCardReader


def invented_id(first17: str) -> str:
    return first17 + check_character(first17)


def test_simulated_driver_reads_the_demo_card() -> None:
    device = registry.create("id_card", "simulated", {}, name="reader")
    assert isinstance(device, SimulatedIdCardReader)
    with device:
        card = device.read_card(timeout=2)
    assert card.card_type == "resident" and is_valid(card.id_number)


def test_check_reports_fields_and_masks_personal_ones() -> None:
    with registry.create("id_card", "simulated") as device:
        assert isinstance(device, SimulatedIdCardReader)
        device.simulator.present_card(
            name="冯测试",
            sex="女",
            nation="壮",
            birth="20000229",
            address="广西壮族自治区南宁市青秀区示例路2号",
            id_number=invented_id("45010320000229004"),
            issuer="南宁市公安局青秀分局",
            valid_from="20160101",
            valid_to="20260101",
        )
        result = run_check(device, {"timeout": "2"})
    assert result["nation"] == "壮" and result["photo_bytes"] == 1024
    assert "photo" not in result
    assert {"name", "address", "id_number", "birth"} <= PERSONAL_FIELDS
    assert PERSONAL_FIELDS.isdisjoint({"card_type", "valid_to", "photo_bytes"})


def test_without_demo_card_the_reader_waits_then_reports_no_card() -> None:
    with SimulatedIdCardReader(demo_card=False) as device:
        with pytest.raises(MediaError) as exc:
            device.read_card(timeout=0.2)
    assert exc.value.code == "id_card.no_card"


def test_faults_switch_through_the_driver_and_reopen_works() -> None:
    device = SimulatedIdCardReader(timeout=0.2)
    device.simulator.fail("unreadable")
    with device:
        with pytest.raises(MediaError):
            device.read_card(timeout=0.5)
    device.simulator.fail(None)
    with device:
        assert device.read_card(timeout=1).name == "王测试"
    with pytest.raises(ValueError):
        device.simulator.fail("on_fire")
