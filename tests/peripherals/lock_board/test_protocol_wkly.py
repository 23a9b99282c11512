"""WKLY frames, byte for byte against PROTOCOLS.md section 3B."""

from __future__ import annotations

import pytest

from peripherals.errors import ProtocolError
from peripherals.lock_board import protocol_wkly as pw
from peripherals.lock_board.framing import take_frame


def test_length_counts_the_whole_frame_and_xor_covers_all_before_it() -> None:
    frame = pw.open_one(1, 1)
    assert frame == bytes.fromhex("57 4B 4C 59 09 01 82 01 82")
    assert pw.query_all(3) == bytes.fromhex("57 4B 4C 59 08 03 84") + bytes(
        [0x57 ^ 0x4B ^ 0x4C ^ 0x59 ^ 0x08 ^ 0x03 ^ 0x84]
    )
    assert pw.query_one(2, 5)[6] == 0x83
    assert pw.flash(2, 5)[6] == 0x81


def test_reply_status_sits_at_offset_seven() -> None:
    ok = pw.door_reply(1, pw.OPEN_ONE, 4, is_open=True)
    failed = pw.door_reply(1, pw.OPEN_ONE, 4, is_open=False, ok=False)
    assert ok[7] == 0x00 and failed[7] == 0xFF
    assert pw.status_ok(pw.decode(ok)) and not pw.status_ok(pw.decode(failed))
    report = pw.door_report(pw.decode(ok))
    assert (report.lock, report.is_open) == (4, True)


def test_door_states_are_00_open_01_closed() -> None:
    frame = pw.decode(pw.all_doors_reply(1, [True, False, True]))
    assert frame.data == bytes.fromhex("00 03 00 01 00")
    assert pw.all_doors(frame) == {1: True, 2: False, 3: True}


def test_push_is_decoded_with_or_without_a_status_byte() -> None:
    push = pw.decode(pw.push(2, 9, is_open=False))
    assert push.cmd == 0x85 and push.addr == 2
    assert pw.door_report(push) == pw.DoorReport(9, False)
    with_status = pw.decode(pw.encode(2, pw.PUSH, bytes.fromhex("00 09 00")))
    assert pw.door_report(with_status) == pw.DoorReport(9, True)


def test_stream_splits_into_frames_and_skips_noise() -> None:
    first, second = pw.push(1, 1, True), pw.door_reply(1, pw.QUERY_ONE, 2, False)
    buf = bytearray(b"\x57\x00" + first + b"\xaa" + second)
    assert take_frame(buf, pw.SHAPE) == first
    assert take_frame(buf, pw.SHAPE) == second
    assert not buf


def test_bad_checksum_raises() -> None:
    frame = bytearray(pw.query_all(1))
    frame[-1] ^= 1
    with pytest.raises(ProtocolError):
        take_frame(frame, pw.SHAPE)


def test_address_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        pw.open_one(32, 1)
