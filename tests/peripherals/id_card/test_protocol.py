"""SAM frame building, stream parsing and status mapping."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peripherals.errors import DeviceFault, MediaError, ProtocolError
from peripherals.id_card import protocol
from peripherals.id_card.protocol import FrameParser, build_request, build_response


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (protocol.RESET, "AA AA AA 96 69 00 03 10 FF EC"),
        (protocol.SAM_STATUS, "AA AA AA 96 69 00 03 11 FF ED"),
        (protocol.SAM_ID, "AA AA AA 96 69 00 03 12 FF EE"),
        (protocol.FIND_CARD, "AA AA AA 96 69 00 03 20 01 22"),
        (protocol.SELECT_CARD, "AA AA AA 96 69 00 03 20 02 21"),
        (protocol.READ_TEXT_PHOTO, "AA AA AA 96 69 00 03 30 01 32"),
        (protocol.READ_WITH_FINGERPRINT, "AA AA AA 96 69 00 03 30 10 23"),
    ],
)
def test_requests_match_the_documented_bytes(command: tuple[int, int], expected: str) -> None:
    assert build_request(*command) == bytes.fromhex(expected)


def test_find_card_reply_example_is_built_and_parsed() -> None:
    example = bytes.fromhex("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
    assert build_response(0x9F, bytes(4)) == example
    parser = FrameParser()
    parser.feed(example)
    body = parser.next_body()
    assert body is not None
    reply = protocol.parse_response_body(body)
    assert (reply.sw1, reply.sw2, reply.sw3, reply.data) == (0, 0, 0x9F, bytes(4))


def test_parser_skips_noise_and_waits_for_split_frames() -> None:
    frame = build_response(0x90, b"\x01\x02")
    parser = FrameParser()
    parser.feed(b"\x00\xaa\x13\xaa\xaa" + frame[:3])
    assert parser.next_body() is None
    parser.feed(frame[3:9])
    assert parser.next_body() is None
    assert parser.in_frame
    parser.feed(frame[9:])
    assert parser.next_body() == b"\x00\x00\x90\x01\x02"
    assert parser.discarded == 5


def test_parser_rejects_huge_len_and_bad_checksum() -> None:
    parser = FrameParser()
    parser.feed(protocol.PREAMBLE + b"\xff\xff" + b"\x00" * 10)
    with pytest.raises(ProtocolError) as huge:
        parser.next_body()
    assert huge.value.code == "id_card.bad_length"
    bad = bytearray(build_response(0x90))
    bad[-1] ^= 0x01
    parser.feed(bytes(bad))
    with pytest.raises(ProtocolError) as chk:
        parser.next_body()
    assert chk.value.code == "id_card.frame_checksum"


@given(st.binary(max_size=300), st.binary(max_size=300), st.binary(max_size=40))
def test_parser_finds_a_frame_in_any_noise(before: bytes, after: bytes, data: bytes) -> None:
    noise = bytes(b for b in before if b != 0xAA)
    frame = build_response(0x90, data)
    parser = FrameParser()
    for i in range(0, len(noise + frame + after), 7):
        parser.feed((noise + frame + after)[i : i + 7])
    assert parser.next_body() == b"\x00\x00\x90" + data


@given(st.binary(max_size=600))
def test_parser_raises_only_protocol_errors(data: bytes) -> None:
    parser = FrameParser()
    parser.feed(data)
    for _ in range(len(data) + 1):
        try:
            if parser.next_body() is None:
                break
        except ProtocolError:
            continue


@pytest.mark.parametrize(
    ("sw3", "error", "code"),
    [
        (0x91, MediaError, "id_card.item_empty"),
        (0x10, ProtocolError, "id_card.checksum"),
        (0x11, ProtocolError, "id_card.length"),
        (0x21, ProtocolError, "id_card.command"),
        (0x23, DeviceFault, "id_card.no_privilege"),
        (0x24, DeviceFault, "id_card.unknown_error"),
        (0x31, MediaError, "id_card.card_auth_failed"),
        (0x32, MediaError, "id_card.sam_auth_failed"),
        (0x33, MediaError, "id_card.verify_failed"),
        (0x40, MediaError, "id_card.unknown_card_type"),
        (0x41, MediaError, "id_card.unreadable"),
        (0x47, MediaError, "id_card.random_failed"),
        (0x60, DeviceFault, "id_card.sam_fault"),
        (0x66, DeviceFault, "id_card.sam_unauthorized"),
        (0x80, MediaError, "id_card.no_card"),
        (0x81, MediaError, "id_card.select_failed"),
        (0x55, ProtocolError, "id_card.unknown_status"),
    ],
)
def test_every_status_maps_to_an_error_with_a_stable_code(
    sw3: int, error: type[Exception], code: str
) -> None:
    exc = protocol.status_error(sw3)
    assert type(exc) is error
    assert exc.code == code


def test_read_reply_lengths_must_add_up() -> None:
    text, photo = b"t" * 256, b"p" * 1024
    data = b"\x01\x00\x04\x00" + text + photo
    assert protocol.split_lengths(data, 2) == [text, photo]
    with pytest.raises(ProtocolError):
        protocol.split_lengths(data[:-1], 2)
    # The documented 30 01 reply: 1295 bytes, LEN 05 08, text at 14, photo at 270, CHK at 1294.
    frame = build_response(0x90, data)
    assert len(frame) == 1295
    assert frame[5:7] == b"\x05\x08"
    assert frame[14:270] == text and frame[270:1294] == photo


def test_sam_id_is_formatted_like_vendor_tools() -> None:
    raw = bytes.fromhex("05000100da4f3201c9b9ae0031d20e07")
    assert protocol.format_sam_id(raw) == "05.01-20074458-0011450825-0118411825"
    assert protocol.format_sam_id(b"\x01\x02") == "0102"
