"""The social security card's SSSE application: its APDUs, record layouts and field decoders.

Facts from PROTOCOLS.md section 2. Two points there are UNCONFIRMED and handled tolerantly:
the name record's encoding (GBK is tried first, then GB 18030 and UTF-8, then GB 18030 with
replacement characters), and whether a region's card allows the reads without PSAM
authentication (a refused record yields `None`, see `status_words.REFUSED`). Every function
here is pure: bytes in, values out.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

SSSE_NAME = "sx1.sh.社会保障".encode("gbk")
"""The SSSE application's name (DF name), "sx1.sh." followed by 社会保障 in GBK."""

SELECT_SSSE = bytes([0x00, 0xA4, 0x04, 0x00, len(SSSE_NAME)]) + SSSE_NAME
"""SELECT the SSSE application by name."""

SELECT_EF06 = bytes.fromhex("00A4020002EF06")
"""SELECT the EF06 file (personal data) by file identifier."""

PADDING = b"\x00\x20\xff"
"""Bytes cards use to pad fixed-length records."""


def get_response(length: int) -> bytes:
    """GET RESPONSE for `length` pending bytes (the `xx` of SW `61 xx`; 0 means 256)."""
    if not 0 <= length <= 0xFF:
        raise ValueError(f"GET RESPONSE length must fit one byte, got {length}")
    return bytes([0x00, 0xC0, 0x00, 0x00, length])


def read_record(record: int, p2: int, length: int) -> bytes:
    """READ RECORD `record` with P2 (SFI and mode bits) expecting `length` bytes."""
    return bytes([0x00, 0xB2, record, p2, length])


def record_value(data: bytes) -> bytes:
    """The value of a record: the bytes after its 1-byte tag and 1-byte length.

    A length byte larger than the data is tolerated (the value is what is there).
    """
    if len(data) < 2:
        return b""
    return data[2 : 2 + data[1]]


def build_record(tag: int, value: bytes, size: int, pad: bytes = b"\x00") -> bytes:
    """A record as a card stores it: tag, length `size`, value padded to `size` bytes."""
    if len(value) > size:
        raise ValueError(f"value of {len(value)} bytes does not fit a {size}-byte record")
    return bytes([tag, size]) + value + pad * (size - len(value))


def bcd_digits(data: bytes) -> str | None:
    """Packed BCD to a digit string; trailing `F` nibbles are padding; None if not BCD."""
    digits = data.hex().upper().rstrip("F")
    if not digits or not digits.isdigit():
        return None
    return digits


def bcd_bytes(digits: str) -> bytes:
    """A digit string to packed BCD, padded with an `F` nibble to whole bytes."""
    if not digits.isdigit():
        raise ValueError("BCD needs decimal digits")
    if len(digits) % 2:
        digits += "F"
    return bytes.fromhex(digits)


def _text(value: bytes) -> str | None:
    text = value.strip(PADDING).decode("ascii", errors="replace").strip()
    return text or None


def decode_card_number(value: bytes) -> str | None:
    """The 9-character card number (社会保障卡卡号), ASCII."""
    return _text(value)


def decode_ssn(value: bytes) -> str | None:
    """The 18-character social security number (the citizen ID number), ASCII."""
    text = _text(value)
    return text.upper() if text else None


NAME_ENCODINGS: tuple[str, ...] = ("gbk", "gb18030", "utf-8")
"""Encodings tried in turn for the name record (GBK is UNCONFIRMED)."""


def decode_name(value: bytes, encodings: tuple[str, ...] = NAME_ENCODINGS) -> str | None:
    """The holder's name from its padded record; tolerant of the UNCONFIRMED encoding."""
    raw = value.strip(PADDING)
    if not raw:
        return None
    for encoding in encodings:
        try:
            return raw.decode(encoding).strip() or None
        except UnicodeDecodeError:
            continue
    log.warning("name record is in none of %s; decoding with replacement", encodings)
    return raw.decode("gb18030", errors="replace").strip() or None


def decode_sex(value: bytes) -> str | None:
    """The sex code of GB/T 2261.1 ("1" male, "2" female, "9" unstated, ...).

    Stored as one byte; both the ASCII digit and the binary value are accepted.
    """
    if not value or value[0] in PADDING:
        return None
    byte = value[0]
    if 0x30 <= byte <= 0x39:
        return chr(byte)
    if byte <= 9:
        return str(byte)
    return None


def decode_nation(value: bytes) -> str | None:
    """The two-digit ethnic group code of GB 3304 ("01" Han); BCD, binary as a fallback."""
    if not value or value[0] in (0x00, 0xFF):
        return None
    digits = bcd_digits(value[:1])
    if digits is not None and len(digits) == 2:
        return digits
    return f"{value[0]:02d}" if value[0] < 100 else None


def decode_birthplace(value: bytes) -> str | None:
    """The six-digit administrative division code of the birthplace (BCD)."""
    digits = bcd_digits(value)
    return digits if digits is not None and len(digits) >= 6 else None


def decode_date(value: bytes) -> datetime.date | None:
    """A BCD date `YYYYMMDD`; None if the record is blank or not a real date."""
    digits = bcd_digits(value)
    if digits is None or len(digits) != 8:
        return None
    try:
        return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


@dataclass(frozen=True)
class FieldRead:
    """One field of the card: the APDU that reads it, where it lives, and its decoder."""

    name: str
    apdu: bytes
    in_ef06: bool
    decode: Callable[[bytes], object]


FIELDS: tuple[FieldRead, ...] = (
    FieldRead("card_number", read_record(0x07, 0x2C, 0x0B), False, decode_card_number),
    FieldRead("ssn", read_record(0x08, 0x00, 0x14), True, decode_ssn),
    FieldRead("name", read_record(0x09, 0x00, 0x20), True, decode_name),
    FieldRead("sex", read_record(0x0A, 0x00, 0x03), True, decode_sex),
    FieldRead("nation", read_record(0x0B, 0x00, 0x03), True, decode_nation),
    FieldRead("birthplace", read_record(0x0C, 0x00, 0x05), True, decode_birthplace),
    FieldRead("birth_date", read_record(0x0D, 0x00, 0x06), True, decode_date),
)
"""The fields read, in order: the card number first (EF05 by SFI), then EF06's records."""
