"""Kerong CU frames, byte for byte against PROTOCOLS.md section 3C."""

from __future__ import annotations

from peripherals.lock_board import protocol_kerong as pk
from peripherals.lock_board.framing import take_frame


def test_detection_frame_is_the_status_query_of_board_zero() -> None:
    assert pk.query_status(0) == bytes.fromhex("02 00 00 60 03 65") == pk.DETECT


def test_open_command_sums_to_its_last_byte() -> None:
    assert pk.open_lock(0, 0) == bytes.fromhex("02 00 00 61 03 66")
    assert pk.open_lock(1, 5) == bytes.fromhex("02 01 05 61 03 6C")


def test_success_code_is_75() -> None:
    reply = pk.open_reply(1, 5)
    assert reply[3] == 0x75
    assert pk.parse_open_reply(reply) == pk.OpenReply(1, 5, True)
    assert pk.parse_open_reply(pk.open_reply(1, 5, ok=False)).ok is False


def test_status_reply_length_comes_from_its_count_byte() -> None:
    reply = pk.status_reply(2, bytes.fromhex("FE FF"))
    buf = bytearray(reply[:5])
    assert take_frame(buf, pk.STATUS_REPLY) is None
    buf += reply[5:]
    parsed = pk.parse_status_reply(take_frame(buf, pk.STATUS_REPLY) or b"")
    assert (parsed.addr, parsed.ok, parsed.bitmap) == (2, True, bytes.fromhex("FE FF"))
