"""SAM frames: build requests, find and check replies in a byte stream, map SW3 to errors.

Request: `AA AA AA 96 69 | LEN_H LEN_L | CMD | PARA | DATA | CHK`; reply:
`AA AA AA 96 69 | LEN_H LEN_L | SW1 SW2 SW3 | DATA | CHK`. In both, LEN counts the bytes after
it and CHK is the XOR of everything from LEN_H to the byte before CHK.
"""

from __future__ import annotations

import msgspec

from peripherals.errors import DeviceFault, MediaError, PeripheralError, ProtocolError

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
"""Start of every frame, in both directions."""

HEADER_SIZE = len(PREAMBLE) + 2
"""Preamble plus the two LEN bytes."""

MAX_FRAME_LEN = 4096
"""Largest LEN accepted; a real reply (text, photo, two fingerprints) is about 2.3 KB."""

# (CMD, PARA) pairs.
RESET = (0x10, 0xFF)
"""Reset the SAM (some modules use `01 FF`: UNCONFIRMED, so the command byte is an option)."""
SAM_STATUS = (0x11, 0xFF)
"""SAM self-check."""
SAM_ID = (0x12, 0xFF)
"""Read the 16-byte SAM id."""
FIND_CARD = (0x20, 0x01)
"""Look for a card in the field."""
SELECT_CARD = (0x20, 0x02)
"""Select the card found."""
READ_TEXT_PHOTO = (0x30, 0x01)
"""Read the text block and the photo."""
READ_WITH_FINGERPRINT = (0x30, 0x10)
"""Read the text block, the photo and the fingerprint templates."""

SW_OK = 0x90
"""Success."""
SW_CARD_FOUND = 0x9F
"""Find card: a card is present."""


def xor(data: bytes | bytearray) -> int:
    """XOR of every byte."""
    value = 0
    for byte in data:
        value ^= byte
    return value


def build_frame(body: bytes) -> bytes:
    """Frame `body` (CMD PARA DATA, or SW1 SW2 SW3 DATA): preamble, LEN, body, CHK."""
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([xor(length + body)])


def build_request(cmd: int, para: int, data: bytes = b"") -> bytes:
    """A complete request frame."""
    return build_frame(bytes([cmd, para]) + data)


def build_response(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """A complete reply frame (used by the simulator and tests)."""
    return build_frame(bytes([sw1, sw2, sw3]) + data)


class Response(msgspec.Struct, frozen=True):
    """A checked reply: status words and data (CHK removed)."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes


def parse_response_body(body: bytes) -> Response:
    """Split a checked reply body into status words and data."""
    if len(body) < 3:
        raise ProtocolError(f"reply of {len(body)} bytes has no status", code="id_card.bad_length")
    return Response(body[0], body[1], body[2], body[3:])


class FrameParser:
    """Finds frames in a byte stream: skips garbage up to a preamble, checks LEN and CHK."""

    def __init__(self, min_len: int = 3, max_len: int = MAX_FRAME_LEN) -> None:
        self._buffer = bytearray()
        self._min_len = min_len
        self._max_len = max_len
        self.discarded = 0
        """Bytes thrown away while looking for a preamble."""

    def feed(self, data: bytes) -> None:
        """Add received bytes."""
        self._buffer += data

    @property
    def in_frame(self) -> bool:
        """Whether a preamble has been seen and its frame is not complete yet."""
        return self._buffer.startswith(PREAMBLE)

    def needed(self) -> int:
        """How many more bytes would complete what is buffered (at least 1)."""
        if not self._buffer.startswith(PREAMBLE) or len(self._buffer) < HEADER_SIZE:
            return max(1, HEADER_SIZE - len(self._buffer))
        length = int.from_bytes(self._buffer[5:7], "big")
        return max(1, HEADER_SIZE + length - len(self._buffer))

    def _resync(self) -> None:
        index = self._buffer.find(PREAMBLE)
        if index < 0:
            # Keep a tail that may be the start of a preamble split across reads.
            keep = len(PREAMBLE) - 1
            drop = max(0, len(self._buffer) - keep)
            while drop < len(self._buffer) and self._buffer[drop] != PREAMBLE[0]:
                drop += 1
            index = drop
        if index:
            self.discarded += index
            del self._buffer[:index]

    def next_body(self) -> bytes | None:
        """The next complete, checked frame body without CHK, or None if more bytes are needed.

        Raises `ProtocolError` for an impossible LEN (`id_card.bad_length`) or a wrong CHK
        (`id_card.frame_checksum`); the offending bytes are dropped so parsing can go on.
        """
        self._resync()
        if len(self._buffer) < HEADER_SIZE:
            return None
        length = int.from_bytes(self._buffer[5:7], "big")
        if not self._min_len <= length <= self._max_len:
            del self._buffer[: len(PREAMBLE)]
            raise ProtocolError(f"frame length {length} out of range", code="id_card.bad_length")
        end = HEADER_SIZE + length
        if len(self._buffer) < end:
            return None
        frame = bytes(self._buffer[:end])
        del self._buffer[:end]
        if xor(frame[len(PREAMBLE) : -1]) != frame[-1]:
            raise ProtocolError("reply checksum does not match", code="id_card.frame_checksum")
        return frame[HEADER_SIZE:-1]


class Status(msgspec.Struct, frozen=True):
    """What one SW3 value means and which error it raises."""

    meaning: str
    error: type[PeripheralError] | None
    code: str


STATUSES: dict[int, Status] = {
    0x90: Status("ok", None, "id_card.ok"),
    0x91: Status("item empty", MediaError, "id_card.item_empty"),
    0x9F: Status("card found", None, "id_card.card_found"),
    0x10: Status("reader saw a checksum error", ProtocolError, "id_card.checksum"),
    0x11: Status("reader saw a length error", ProtocolError, "id_card.length"),
    0x21: Status("command not understood", ProtocolError, "id_card.command"),
    0x23: Status("no privilege", DeviceFault, "id_card.no_privilege"),
    0x24: Status("unknown error", DeviceFault, "id_card.unknown_error"),
    0x31: Status("card failed to authenticate the SAM", MediaError, "id_card.card_auth_failed"),
    0x32: Status("SAM failed to authenticate the card", MediaError, "id_card.sam_auth_failed"),
    0x33: Status("card information verify failed", MediaError, "id_card.verify_failed"),
    0x40: Status("unknown card type", MediaError, "id_card.unknown_card_type"),
    0x41: Status("card read failed", MediaError, "id_card.unreadable"),
    0x47: Status("random number failed", MediaError, "id_card.random_failed"),
    0x60: Status("SAM self-test failed", DeviceFault, "id_card.sam_fault"),
    0x66: Status("SAM not authorised", DeviceFault, "id_card.sam_unauthorized"),
    0x80: Status("no card found", MediaError, "id_card.no_card"),
    0x81: Status("card select failed", MediaError, "id_card.select_failed"),
}
"""Every documented SW3 value."""


def status_error(sw3: int) -> PeripheralError:
    """The error to raise for a non-success SW3."""
    status = STATUSES.get(sw3)
    if status is None:
        return ProtocolError(f"unknown SAM status {sw3:02X}", code="id_card.unknown_status")
    error = status.error or ProtocolError
    return error(f"SAM status {sw3:02X}: {status.meaning}", code=status.code)


def split_lengths(data: bytes, count: int) -> list[bytes]:
    """Split a read reply's data: `count` big-endian lengths, then the items back to back."""
    if len(data) < 2 * count:
        raise ProtocolError("read reply too short for its lengths", code="id_card.bad_length")
    lengths = [int.from_bytes(data[2 * i : 2 * i + 2], "big") for i in range(count)]
    if 2 * count + sum(lengths) != len(data):
        raise ProtocolError(
            f"read reply lengths {lengths} do not match {len(data)} data bytes",
            code="id_card.bad_length",
        )
    items, offset = [], 2 * count
    for length in lengths:
        items.append(data[offset : offset + length])
        offset += length
    return items


def format_sam_id(raw: bytes) -> str:
    """Format a 16-byte SAM id the way vendor tools print it (`05.01-20101010-…`).

    Two little-endian 16-bit parts then three little-endian 32-bit parts; this matches common
    vendor SDK output but is UNCONFIRMED across vendors, so raw hex is used for other sizes.
    """
    if len(raw) != 16:
        return raw.hex().upper()
    a, b = int.from_bytes(raw[0:2], "little"), int.from_bytes(raw[2:4], "little")
    c, d, e = (int.from_bytes(raw[i : i + 4], "little") for i in (4, 8, 12))
    return f"{a:02d}.{b:02d}-{c:08d}-{d:010d}-{e:010d}"
