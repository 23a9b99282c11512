"""Every device parser, fed what a broken or hostile device could send: a result or a
`PeripheralError`, never another exception, never a hang, never unbounded growth.

One hypothesis target per parser, each with a fixed budget (`BUDGET` examples, derandomized so
a run is repeatable). The bytes come from whatever is on the other end of a serial line, a
socket, a PC/SC reader or an input device; the drivers catch only `PeripheralError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peripherals.errors import PeripheralError
from peripherals.headset.alsa_jack import parse_jack
from peripherals.id_card.protocol import FrameParser, parse_response_body, split_lengths
from peripherals.id_card.text_block import decode_text_block
from peripherals.keypad.keymap import KeyMapper, parse_keymap
from peripherals.lock_board import protocol_8a, protocol_kerong, protocol_wkly
from peripherals.lock_board.bitmap import BitmapLayout
from peripherals.lock_board.framing import FrameShape, take_frame
from peripherals.printer.decode import decode as decode_escpos
from peripherals.printer.status import STATUS_QUERIES, decode_status
from peripherals.scanner.keyburst import KeyBurstDecoder
from peripherals.scanner.payload import CodeFramer, decode_payload
from peripherals.smart_card import ssse

BUDGET = settings(max_examples=300, deadline=None, derandomize=True)
"""Examples per target: the whole file runs in a few seconds."""


def _holds(call: Callable[[], Any]) -> Any:
    """Run a parser; a `PeripheralError` is an acceptable answer to junk, nothing else is."""
    try:
        return call()
    except PeripheralError:
        return None


# -- ID card reader (GA 467 frames over serial) ------------------------------------------------


@BUDGET
@given(st.binary(max_size=2000))
def test_id_card_response_bodies(data: bytes) -> None:
    _holds(lambda: parse_response_body(data))
    _holds(lambda: split_lengths(data, 3))


@BUDGET
@given(st.lists(st.binary(max_size=300), max_size=8))
def test_id_card_frame_stream(chunks: list[bytes]) -> None:
    parser = FrameParser()
    for chunk in chunks:
        parser.feed(chunk)
        for _ in range(len(chunk) + 1):
            if _holds(parser.next_body) is None:
                break


@BUDGET
@given(st.binary(max_size=512))
def test_id_card_text_block(block: bytes) -> None:
    _holds(lambda: decode_text_block(block))


# -- lock boards (RS-485 frames) -----------------------------------------------------------------

_SHAPES: list[FrameShape] = [
    protocol_8a.OPEN_REPLY,
    protocol_8a.LOCK_REPLY,
    protocol_8a.BOARD_REPLY,
    protocol_kerong.OPEN_REPLY,
    protocol_kerong.STATUS_REPLY,
    protocol_wkly.SHAPE,
]
_PARSERS: list[Callable[[bytes], Any]] = [
    protocol_8a.parse_open_reply,
    protocol_8a.parse_lock_reply,
    protocol_8a.parse_board_reply,
    protocol_kerong.parse_open_reply,
    protocol_kerong.parse_status_reply,
    protocol_wkly.decode,
]


@pytest.mark.parametrize("index", range(len(_SHAPES)))
@BUDGET
@given(data=st.binary(max_size=400))
def test_lock_board_framing_and_replies(index: int, data: bytes) -> None:
    buffer = bytearray(data)
    for _ in range(len(data) + 1):  # each round consumes bytes, so this always ends
        before = len(buffer)
        frame = _holds(lambda: take_frame(buffer, _SHAPES[index]))
        if frame is not None:
            _holds(lambda frame=frame: _PARSERS[index](frame))
        if len(buffer) == before:
            break
    _holds(lambda: _PARSERS[index](data))


@BUDGET
@given(st.binary(max_size=64), st.integers(0, 1024), st.sampled_from(["low_first", "high_first"]))
def test_lock_board_door_bitmaps(data: bytes, locks: int, order: str) -> None:
    doors = BitmapLayout(order, 1).decode(data, locks)
    assert len(doors) <= min(locks, len(data) * 8)


# -- receipt printers ----------------------------------------------------------------------------


@BUDGET
@given(st.binary(max_size=3000))
def test_escpos_stream_decoder(data: bytes) -> None:
    _holds(lambda: decode_escpos(data))


@BUDGET
@given(st.dictionaries(st.sampled_from(STATUS_QUERIES), st.integers(-5, 300), max_size=4))
def test_printer_status_bytes(replies: dict[int, int]) -> None:  # keys: the queries asked
    _holds(lambda: decode_status(replies))


# -- code scanners -------------------------------------------------------------------------------


@BUDGET
@given(st.lists(st.binary(max_size=200), max_size=10), st.floats(0, 2))
def test_scanner_serial_stream(chunks: list[bytes], step: float) -> None:
    framer = CodeFramer(max_length=512)
    now = 0.0
    for chunk in chunks:
        now += step
        for code in framer.feed(chunk, now):
            assert len(code) <= 512
        _holds(lambda chunk=chunk: decode_payload(chunk))


@BUDGET
@given(st.lists(st.tuples(st.text(max_size=12), st.integers(-1, 3)), max_size=300))
def test_scanner_key_bursts(events: list[tuple[str, int]]) -> None:
    decoder = KeyBurstDecoder(max_length=256)
    for key, value in events:
        code = _holds(lambda key=key, value=value: decoder.feed(key, value))
        assert code is None or len(code) <= 256


# -- social security card (SSSE records) ---------------------------------------------------------


@BUDGET
@given(st.binary(max_size=80))
def test_social_security_card_fields(value: bytes) -> None:
    for decode in (
        ssse.decode_card_number,
        ssse.decode_ssn,
        ssse.decode_name,
        ssse.decode_sex,
        ssse.decode_nation,
        ssse.decode_birthplace,
        ssse.decode_date,
    ):
        _holds(lambda decode=decode: decode(value))


# -- tactile keypad and headset ------------------------------------------------------------------


@BUDGET
@given(st.dictionaries(st.text(max_size=16), st.text(max_size=16), max_size=8))
def test_keypad_keymaps(keymap: dict[str, str]) -> None:
    try:
        parse_keymap(keymap)
    except ValueError:
        return  # a bad keymap is a configuration error, reported as such


@BUDGET
@given(st.lists(st.tuples(st.text(max_size=12), st.integers(-2, 3)), max_size=100))
def test_keypad_events(events: list[tuple[str, int]]) -> None:
    mapper = KeyMapper()
    for name, value in events:
        _holds(lambda name=name, value=value: mapper.feed(name, value))


@BUDGET
@given(st.text(max_size=2000))
def test_headset_jack_reports(output: str) -> None:
    assert _holds(lambda: parse_jack(output)) in (True, False, None)
