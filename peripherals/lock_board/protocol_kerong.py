"""Kerong CU frames (19200 8N1): commands `02 ADDR LOCK CMD 03 SUM`, SUM = low byte of the sum.

60 asks for status, 61 opens; 75 in a reply means success. `02 00 00 60 03 65` is the
detection frame. Reply layouts are UNCONFIRMED and taken from open code:

- open: `02 ADDR LOCK STATUS 03 SUM` (STATUS 75 = done);
- status: `02 ADDR 00 STATUS N D1..DN SUM`, an N-byte door bitmap, bit 0 of D1 = lock 1, bit
  set = closed by default (order and polarity configurable like the 8A bitmap).

Locks go on the wire counted from 0 (lock 1 is 00); `lock_base` changes that.
"""

from __future__ import annotations

from dataclasses import dataclass

from peripherals.errors import ProtocolError
from peripherals.lock_board.framing import FrameShape, sum_of

STX = 0x02
ETX = 0x03
STATUS = 0x60
OPEN = 0x61
SUCCESS = 0x75
DETECT = bytes((0x02, 0x00, 0x00, 0x60, 0x03, 0x65))
OPEN_REPLY_SIZE = 6


@dataclass(frozen=True)
class OpenReply:
    """A board's answer to an open command (lock as on the wire)."""

    addr: int
    wire_lock: int
    ok: bool


@dataclass(frozen=True)
class StatusReply:
    """A board's answer to a status query: the raw bitmap."""

    addr: int
    ok: bool
    bitmap: bytes


def command(addr: int, wire_lock: int, cmd: int) -> bytes:
    """Build a command frame."""
    for name, value in (("address", addr), ("lock", wire_lock)):
        if not 0 <= value <= 0xFF:
            raise ValueError(f"{name} {value} does not fit in one byte")
    body = bytes((STX, addr, wire_lock, cmd, ETX))
    return body + bytes((sum_of(body),))


def open_lock(addr: int, wire_lock: int) -> bytes:
    """The command that opens one lock."""
    return command(addr, wire_lock, OPEN)


def query_status(addr: int) -> bytes:
    """The command that asks for every door of a board."""
    return command(addr, 0, STATUS)


def _valid(frame: bytes) -> bool:
    return sum_of(frame[:-1]) == frame[-1]


def _status_size(head: bytes) -> int | None:
    return None if len(head) < 5 else 6 + head[4]


OPEN_REPLY = FrameShape(frozenset({STX}), lambda _: OPEN_REPLY_SIZE, lambda f: f[4] == ETX, _valid)
"""Shape of the reply to an open command."""

STATUS_REPLY = FrameShape(frozenset({STX}), _status_size, lambda f: f[2] == 0, _valid)
"""Shape of the reply to a status query."""

REQUEST = FrameShape(frozenset({STX}), lambda _: 6, lambda f: f[4] == ETX, _valid)
"""Shape of a command, as a board sees it."""


def parse_open_reply(frame: bytes) -> OpenReply:
    """Decode an open reply (already checksum-checked)."""
    if len(frame) != OPEN_REPLY_SIZE or frame[0] != STX:
        raise ProtocolError(f"not a Kerong open reply: {frame.hex(' ')}")
    return OpenReply(frame[1], frame[2], frame[3] == SUCCESS)


def parse_status_reply(frame: bytes) -> StatusReply:
    """Decode a status reply (already checksum-checked)."""
    if len(frame) < 6 or frame[0] != STX or len(frame) != 6 + frame[4]:
        raise ProtocolError(f"not a Kerong status reply: {frame.hex(' ')}")
    return StatusReply(frame[1], frame[3] == SUCCESS, frame[5:-1])


def open_reply(addr: int, wire_lock: int, ok: bool = True) -> bytes:
    """The reply a board sends to an open command."""
    body = bytes((STX, addr, wire_lock, SUCCESS if ok else 0x00, ETX))
    return body + bytes((sum_of(body),))


def status_reply(addr: int, bitmap: bytes, ok: bool = True) -> bytes:
    """The reply a board sends to a status query."""
    body = bytes((STX, addr, 0, SUCCESS if ok else 0x00, len(bitmap))) + bitmap
    return body + bytes((sum_of(body),))
