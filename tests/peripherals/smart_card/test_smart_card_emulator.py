"""The emulated social security card's answers, without pcscd; and its vpcd connection errors."""

from __future__ import annotations

import socket

import pytest

from peripherals.errors import DeviceUnavailable
from peripherals.smart_card import ssse
from peripherals.smart_card.emulator import (
    CardHolder,
    SocialSecurityCardEmulator,
    SsseCard,
    vpcd_reader_name,
)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def test_invented_holder_has_a_valid_gb11643_id_number() -> None:
    ssn = CardHolder().ssn
    total = sum(int(digit) * weight for digit, weight in zip(ssn[:17], WEIGHTS, strict=True))
    assert ssn[17] == "10X98765432"[total % 11]


def test_select_answers_61xx_and_get_response_gives_the_fci() -> None:
    card = SsseCard()
    answer = card.respond(ssse.SELECT_SSSE)
    assert answer[0] == 0x61
    fci = card.respond(ssse.get_response(answer[1]))
    assert fci[-2:] == b"\x90\x00"
    assert ssse.SSSE_NAME in fci


def test_records_read_after_selecting_ef06() -> None:
    card = SsseCard()
    card.respond(ssse.SELECT_SSSE)
    assert card.respond(ssse.FIELDS[1].apdu) == b"\x6a\x82"  # EF06 not selected yet
    assert card.respond(ssse.SELECT_EF06) == b"\x90\x00"
    name = card.respond(ssse.FIELDS[2].apdu)
    assert name[-2:] == b"\x90\x00"
    assert ssse.decode_name(ssse.record_value(name[:-2])) == "王测试"


def test_wrong_le_answers_6cxx() -> None:
    card = SsseCard()
    card.respond(ssse.SELECT_SSSE)
    assert card.respond(bytes.fromhex("00B2072C05")) == b"\x6c\x0b"


def test_faults_refuse_select_and_require_authentication() -> None:
    card = SsseCard()
    card.fault = "refuse_select"
    assert card.respond(ssse.SELECT_SSSE) == b"\x6a\x82"
    card.fault = "auth_required"
    card.respond(ssse.SELECT_SSSE)
    card.respond(ssse.SELECT_EF06)
    assert card.respond(ssse.FIELDS[1].apdu) == b"\x69\x82"
    assert card.respond(ssse.FIELDS[0].apdu)[-2:] == b"\x90\x00"  # card number still readable


def test_unknown_instruction_and_class() -> None:
    card = SsseCard()
    assert card.respond(bytes.fromhex("00840000 08".replace(" ", ""))) == b"\x6d\x00"
    assert card.respond(bytes.fromhex("80A4040000")) == b"\x6e\x00"


def test_unknown_fault_is_rejected() -> None:
    with pytest.raises(ValueError, match="mute"):
        SocialSecurityCardEmulator().fail("on_fire")


def test_inserting_without_vpcd_names_what_to_start() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    emulator = SocialSecurityCardEmulator(port=port)
    with pytest.raises(DeviceUnavailable) as caught:
        emulator.present_card()
    assert "pcscd" in str(caught.value) and "vsmartcard-vpcd" in str(caught.value)
    assert not emulator.inserted


def test_reader_names_follow_vpcd_ports() -> None:
    assert vpcd_reader_name(35963) == "Virtual PCD 00 00"
    assert vpcd_reader_name(35964) == "Virtual PCD 00 01"
