"""DLE EOT replies decode to the printer's state, and the state maps to the kiosk's health."""

from __future__ import annotations

import pytest

from peripherals.errors import ProtocolError
from peripherals.printer.status import (
    PrinterStatus,
    decode_status,
    encode_status,
    health_of,
    is_status_byte,
)
from peripherals.status import State

OK = 0x12


def test_an_idle_printer_is_online_and_can_print() -> None:
    status = decode_status({1: OK, 2: OK, 3: OK, 4: OK})
    assert status.online and status.can_print
    assert health_of(status).state is State.ONLINE and health_of(status).code == ""


@pytest.mark.parametrize(
    ("replies", "field"),
    [
        ({1: OK | 0x08}, "online"),
        ({2: OK | 0x04}, "cover_open"),
        ({2: OK | 0x20}, "paper_out"),
        ({3: OK | 0x08}, "cutter_error"),
        ({3: OK | 0x20}, "unrecoverable"),
        ({4: OK | 0x0C}, "paper_near_end"),
        ({4: OK | 0x04}, "paper_near_end"),  # one sensor bit is enough (models differ)
        ({4: OK | 0x60}, "paper_out"),
        ({4: OK | 0x20}, "paper_out"),
    ],
)
def test_each_documented_bit_is_decoded(replies: dict[int, int], field: str) -> None:
    status = decode_status({1: OK, 2: OK, 3: OK, 4: OK, **replies})
    expected = field != "online"  # the offline bit clears `online`
    assert getattr(status, field) is expected


@pytest.mark.parametrize("garbage", [0x00, 0xFF, 0x13, 0x92, 0x02])
def test_bytes_without_the_fixed_bits_are_a_protocol_error(garbage: int) -> None:
    assert not is_status_byte(garbage)
    with pytest.raises(ProtocolError) as info:
        decode_status({1: garbage})
    assert info.value.code == "printer.bad_status"


@pytest.mark.parametrize(
    ("status", "state", "code"),
    [
        (PrinterStatus(paper_out=True), State.MEDIA_PROBLEM, "printer.paper_out"),
        (PrinterStatus(cover_open=True, paper_out=True), State.MEDIA_PROBLEM, "printer.cover_open"),
        (PrinterStatus(online=False), State.OFFLINE, "printer.offline"),
        (PrinterStatus(cutter_error=True), State.HARDWARE_ERROR, "printer.cutter_error"),
        (PrinterStatus(unrecoverable=True), State.HARDWARE_ERROR, "printer.unrecoverable"),
        (PrinterStatus(paper_near_end=True), State.ONLINE, "printer.paper_low"),
    ],
)
def test_health_mapping(status: PrinterStatus, state: State, code: str) -> None:
    health = health_of(status)
    assert (health.state, health.code) == (state, code)
    assert health.usable is (state is State.ONLINE)


@pytest.mark.parametrize(
    "status",
    [
        PrinterStatus(),
        PrinterStatus(paper_near_end=True),
        PrinterStatus(online=False, paper_out=True, paper_near_end=True),
        PrinterStatus(online=False, cover_open=True),
        PrinterStatus(online=False, cutter_error=True),
    ],
)
def test_encoding_for_the_simulator_round_trips(status: PrinterStatus) -> None:
    replies = encode_status(status)
    assert all(is_status_byte(b) for b in replies.values())
    decoded = decode_status(replies)
    assert decoded.can_print == status.can_print
    assert (decoded.paper_out, decoded.cover_open, decoded.cutter_error) == (
        status.paper_out,
        status.cover_open,
        status.cutter_error,
    )
    assert health_of(decoded).code == health_of(status).code
