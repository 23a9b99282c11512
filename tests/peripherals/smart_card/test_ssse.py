"""The SSSE application's APDUs and decoders, byte for byte."""

from __future__ import annotations

import datetime

import pytest

from peripherals.errors import DeviceFault, MediaError, ProtocolError
from peripherals.smart_card import ssse
from peripherals.smart_card.status_words import describe, sw_error


def test_select_ssse_is_the_documented_apdu() -> None:
    expected = bytes.fromhex("00 A4 04 00 0F 73 78 31 2E 73 68 2E C9 E7 BB E1 B1 A3 D5 CF")
    assert ssse.SELECT_SSSE == expected


def test_record_reads_are_the_documented_apdus() -> None:
    by_name = {read.name: read.apdu.hex(" ").upper() for read in ssse.FIELDS}
    assert by_name == {
        "card_number": "00 B2 07 2C 0B",
        "ssn": "00 B2 08 00 14",
        "name": "00 B2 09 00 20",
        "sex": "00 B2 0A 00 03",
        "nation": "00 B2 0B 00 03",
        "birthplace": "00 B2 0C 00 05",
        "birth_date": "00 B2 0D 00 06",
    }
    assert ssse.SELECT_EF06 == bytes.fromhex("00A4020002EF06")
    assert [read.in_ef06 for read in ssse.FIELDS] == [False] + [True] * 6


def test_get_response_asks_for_the_pending_length() -> None:
    assert ssse.get_response(0x13) == bytes.fromhex("00C0000013")
    with pytest.raises(ValueError):
        ssse.get_response(256)


def test_record_value_skips_tag_and_length_and_tolerates_short_records() -> None:
    assert ssse.record_value(bytes.fromhex("0703414243FFFF")) == b"ABC"
    assert ssse.record_value(bytes.fromhex("0709414243")) == b"ABC"
    assert ssse.record_value(b"\x07") == b""


def test_build_record_pads_to_size() -> None:
    assert ssse.build_record(0x0C, bytes.fromhex("110105"), 3) == bytes.fromhex("0C03110105")
    assert ssse.build_record(0x09, b"AB", 4) == bytes.fromhex("0904414200 00".replace(" ", ""))
    with pytest.raises(ValueError):
        ssse.build_record(0x09, b"ABCDE", 4)


def test_gbk_name_with_padding() -> None:
    raw = "王测试".encode("gbk") + b"\x00" * 24
    assert ssse.decode_name(raw) == "王测试"
    assert ssse.decode_name("李四".encode("gbk") + b" " * 26) == "李四"


def test_name_falls_back_when_not_gbk() -> None:
    # a lone 0x80 is valid in none of the encodings: the readable part survives
    assert ssse.decode_name(b"\xcd\xf5\x80") == "王\ufffd"
    assert ssse.decode_name(b"\x00" * 30) is None
    assert ssse.decode_name(b"\xff" * 30) is None


def test_name_decoding_tries_the_given_encodings_in_order() -> None:
    utf8 = "赵测".encode()
    assert ssse.decode_name(utf8, ("utf-8",)) == "赵测"


def test_bcd_dates() -> None:
    assert ssse.decode_date(bytes.fromhex("19850312")) == datetime.date(1985, 3, 12)
    assert ssse.decode_date(bytes.fromhex("19851312")) is None  # month 13
    assert ssse.decode_date(bytes.fromhex("FFFFFFFF")) is None  # blank record
    assert ssse.decode_date(bytes.fromhex("1985")) is None


def test_bcd_round_trip_and_padding() -> None:
    assert ssse.bcd_bytes("110105") == bytes.fromhex("110105")
    assert ssse.bcd_bytes("123") == bytes.fromhex("123F")
    assert ssse.bcd_digits(bytes.fromhex("123F")) == "123"
    assert ssse.bcd_digits(bytes.fromhex("1A")) is None
    with pytest.raises(ValueError):
        ssse.bcd_bytes("12a")


def test_sex_nation_birthplace_codes() -> None:
    assert ssse.decode_sex(b"1") == "1"
    assert ssse.decode_sex(b"\x02") == "2"
    assert ssse.decode_sex(b"\x00") is None
    assert ssse.decode_nation(b"\x01") == "01"
    assert ssse.decode_nation(b"\x56") == "56"
    assert ssse.decode_nation(b"\x2a") == "42"  # not BCD: read as binary
    assert ssse.decode_nation(b"\xff") is None
    assert ssse.decode_birthplace(bytes.fromhex("440306")) == "440306"
    assert ssse.decode_birthplace(bytes.fromhex("FFFFFF")) is None


def test_ascii_fields_are_stripped() -> None:
    assert ssse.decode_card_number(b"S10000001") == "S10000001"
    assert ssse.decode_ssn(b"44030619920704002x") == "44030619920704002X"
    assert ssse.decode_ssn(b"\x00" * 18) is None


def test_status_words_map_to_stable_codes() -> None:
    assert describe(0x6A82) == "SW 6A82 (file or application not found)"
    assert describe(0x6C0B) == "SW 6C0B (wrong Le, 11 bytes available)"
    denied = sw_error(0x6982, "reading name")
    assert isinstance(denied, MediaError) and denied.code == "smart_card.access_denied"
    assert "reading name" in str(denied)
    assert sw_error(0x6A83, "x").code == "smart_card.not_found"
    wrong = sw_error(0x6700, "x")
    assert isinstance(wrong, ProtocolError) and wrong.code == "smart_card.wrong_length"
    assert sw_error(0x6D00, "x").code == "smart_card.unsupported"
    other = sw_error(0x6F00, "x")
    assert isinstance(other, DeviceFault) and other.code == "smart_card.card_error"
