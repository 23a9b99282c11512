"""A courier signs in with a courier card read over PC/SC (pcscd + vpcd + the emulated card)
through `kiosk flows run`: a card on the locker's allow list, and a card the courier back
office refuses, after which the code is the way in. Kept short: the reader is one per machine."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from peripherals.smart_card.emulator import vpcd_reader_name
from tests.flows.test_locker_flows import inventory, locker_config, run
from tests.support.pcsc import Pcscd, pcscd, wait_for_card_state

__all__ = ["pcscd"]

DEPOSIT = {
    "item": "ordinary",
    "waybill": "SF1000000071",
    "consent": True,
    "phone": "13800138000",
    "size": "M",
    "needs": "none",
    "compartment": 1,
    "review": True,
    "another": "no",
}


def card_locker(tmp_path: Path) -> Path:
    """A simulated locker with a card reader and one courier card on its allow list."""
    return locker_config(
        tmp_path,
        "8a",
        """
[devices.smart_card]
driver = "simulated"

[locker]
courier_cards = { K88000001 = { courier = "C0009", company = "韵达快递" } }
""",
    )


def answers(tmp_path: Path, card: str, sign_in: object = None) -> Path:
    data: dict[str, object] = {
        "answers": {**DEPOSIT, **({"sign_in": sign_in} if sign_in else {})},
        "devices": {
            "smart_card": {"card_number": card},
            "scanner": "SF1000000071",
            "lock_board": {"close_after_reads": 2},
        },
    }
    path = tmp_path / f"{card}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_courier_card_signs_in_and_a_refused_one_leaves_the_code(
    pcscd: Pcscd, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = card_locker(tmp_path)
    code, lines = run(capsys, "parcel-deposit", answers(tmp_path, "K88000001"), config)
    assert code == 0, lines[-1]
    (asked,) = [line for line in lines if line.get("step") == "sign_in"]
    assert "刷快递员卡" in asked["say"] and asked["answer"] is None  # the card answered
    stock = inventory(config)
    try:
        (parcel,) = stock.parcels(["stored"])
        assert parcel.company == "韵达快递"  # the courier the card on the allow list names
    finally:
        stock.db.close()

    assert wait_for_card_state(vpcd_reader_name(), present=False)  # pcscd saw it go
    refused = answers(tmp_path, "K88000009", [{"wait": "device"}, "880001"])
    code, lines = run(capsys, "parcel-deposit", refused, config)
    assert code == 0, lines[-1]
    asked = [line for line in lines if line.get("step") == "sign_in"]
    assert "此卡不是登记的快递员卡" in asked[1]["say"]  # then the code, typed
    assert lines[-1]["outcome"] == "finished"
    data = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("kiosk.sqlite3*"))
    assert b"K88000009" not in data and b"K88000001" not in data  # card numbers kept nowhere
