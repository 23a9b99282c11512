"""Cutting codes out of a serial byte stream."""

from __future__ import annotations

from peripherals.scanner.payload import CodeFramer, decode_payload


def test_decoding_prefers_utf8_then_gb18030() -> None:
    assert decode_payload("社保".encode()) == "社保"
    assert decode_payload("社保".encode("gb18030")) == "社保"
    assert decode_payload(b"\x02ABC\x03") == "ABC"
    assert decode_payload(b"(01)0950\x1d(10)AB") == "(01)0950\x1d(10)AB"
    assert decode_payload(b"AB\x00CD") is None
    assert decode_payload(b"\xff\x80\xff") is None


def test_stale_partial_is_dropped_after_a_pause() -> None:
    framer = CodeFramer(idle_reset=0.5)
    assert framer.feed(b"\x13junk-without-end", now=10.0) == []
    assert framer.feed(b"CODE-9\r", now=11.0) == ["CODE-9"]
    assert framer.rejected == 1


def test_a_code_arriving_in_pieces_within_the_burst_is_kept() -> None:
    framer = CodeFramer(idle_reset=0.5)
    assert framer.feed(b"CODE", now=1.0) == []
    assert framer.feed(b"-10\r\nNEXT\r", now=1.1) == ["CODE-10", "NEXT"]


def test_over_long_input_without_terminator_is_dropped() -> None:
    framer = CodeFramer(max_length=16)
    assert framer.feed(b"A" * 40, now=0.0) == []
    assert framer.feed(b"OK\r", now=0.1) == ["OK"]
