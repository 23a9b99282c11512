"""8A frames, byte for byte against PROTOCOLS.md section 3A."""

from __future__ import annotations

import pytest

from peripherals.errors import ProtocolError
from peripherals.lock_board import protocol_8a as p8a
from peripherals.lock_board.framing import take_frame


def test_commands_match_the_documented_bytes() -> None:
    assert p8a.open_lock(1, 1) == bytes.fromhex("8A 01 01 11 9B")
    assert p8a.open_all(1) == bytes.fromhex("8A 01 00 11 9A")
    assert p8a.query_lock(1, 1) == bytes.fromhex("80 01 01 33 B3")
    assert p8a.query_board(1) == bytes.fromhex("80 01 00 33 B2")


def test_the_manuals_replies_are_the_defaults() -> None:
    # The manual: open board 1 lock 1 -> `8A 01 01 00 8A` opened, `8A 01 01 11 9B` not;
    # query it -> `80 01 01 00 80`, five bytes, 00 = open and 11 = closed.
    assert p8a.open_reply(1, 1, True) == bytes.fromhex("8A 01 01 00 8A")
    assert p8a.open_reply(1, 1, False) == bytes.fromhex("8A 01 01 11 9B")
    assert p8a.parse_open_reply(bytes.fromhex("8A 01 01 00 8A")).opened is True
    assert p8a.parse_open_reply(bytes.fromhex("8A 01 01 11 9B")).opened is False
    assert p8a.lock_reply(1, 1, True) == bytes.fromhex("80 01 01 00 80")
    assert p8a.parse_lock_reply(bytes.fromhex("80 01 01 00 80")).is_open is True
    assert p8a.parse_lock_reply(bytes.fromhex("80 01 01 11 91")).is_open is False


@pytest.mark.parametrize("long_form", [False, True])
def test_one_lock_reply_of_five_or_six_bytes_is_found_and_decoded(long_form: bool) -> None:
    frame = p8a.lock_reply(2, 7, False, long_form=long_form)
    assert len(frame) == (6 if long_form else 5)
    buf = bytearray(frame + p8a.lock_reply(2, 8, True))
    assert take_frame(buf, p8a.LOCK_REPLY) == frame
    reply = p8a.parse_lock_reply(frame)
    assert (reply.board, reply.lock, reply.is_open) == (2, 7, False)
    assert take_frame(buf, p8a.LOCK_REPLY) == p8a.lock_reply(2, 8, True)


def test_board_reply_is_seven_bytes_with_the_bitmap_in_the_middle() -> None:
    frame = p8a.board_reply(1, bytes.fromhex("01 00 80"))
    assert frame[:6] == bytes.fromhex("80 01 01 00 80 33")
    assert len(frame) == 7
    assert p8a.parse_board_reply(frame).bitmap == bytes.fromhex("01 00 80")


def test_reply_is_found_after_noise_and_split_arrival() -> None:
    reply = p8a.lock_reply(1, 3, True)
    buf = bytearray(b"\x00\x13\x37" + reply[:2])
    assert take_frame(buf, p8a.LOCK_REPLY) is None
    buf += reply[2:]
    assert take_frame(buf, p8a.LOCK_REPLY) == reply
    assert not buf


def test_bad_checksum_is_reported_not_waited_for() -> None:
    reply = bytearray(p8a.board_reply(1, b"\x00\x00\x00"))
    reply[-1] ^= 0xFF
    with pytest.raises(ProtocolError) as caught:
        take_frame(reply, p8a.BOARD_REPLY)
    assert caught.value.code == "lock.bad_checksum"
