"""WKLY-family frames: `57 4B 4C 59 | LEN | ADDR | CMD | DATA... | XOR`.

LEN counts the whole frame; XOR covers every byte before it. ADDR is 0-31 (boards are delivered
at 00). Commands 80-89 (82 open one, 83 query one, 84 query all, 85 unsolicited door push, 81
flash an output channel, 88 keep a channel on). In replies the status byte sits at offset 7 (00
success, FF failure); door states are 00 open, 01 closed.

The data layouts after the status byte are confirmed by an independent implementation (the
open-source LockDemo app for these boards): replies to 82/83 are `STATUS LOCK STATE`, to 84
`STATUS COUNT STATE1..STATEn`, a push (85) `LOCK STATE` (also accepted with a leading status
byte). Boards answer an open 350-450 ms after it. 81 and 88 take a channel, not a lock: on a
lock's channel they keep that lock unlocking until the board restarts.
"""

from __future__ import annotations

from dataclasses import dataclass

from peripherals.errors import ProtocolError
from peripherals.lock_board.framing import FrameShape, xor_of

HEADER = b"WKLY"
OPEN_SEVERAL = 0x80
FLASH = 0x81
OPEN_ONE = 0x82
QUERY_ONE = 0x83
QUERY_ALL = 0x84
PUSH = 0x85
OPEN_ALL = 0x86
OPEN_SEQUENCE = 0x87
KEEP_ON = 0x88
OFF = 0x89
SUCCESS = 0x00
FAILURE = 0xFF
STATE_OPEN = 0x00
STATE_CLOSED = 0x01
MAX_ADDRESS = 31
MIN_SIZE = 8
MAX_SIZE = 128


@dataclass(frozen=True)
class Frame:
    """One decoded WKLY frame."""

    addr: int
    cmd: int
    data: bytes


@dataclass(frozen=True)
class DoorReport:
    """One door's state as a board reports it; `is_open` is None for an unknown state byte."""

    lock: int
    is_open: bool | None


def encode(addr: int, cmd: int, data: bytes = b"") -> bytes:
    """Build a frame with its length and checksum."""
    if not 0 <= addr <= MAX_ADDRESS:
        raise ValueError(f"WKLY addresses are 0-{MAX_ADDRESS}, not {addr}")
    body = HEADER + bytes((len(HEADER) + 3 + len(data) + 1, addr, cmd)) + data
    return body + bytes((xor_of(body),))


def open_one(addr: int, lock: int) -> bytes:
    """The command that opens one lock."""
    return encode(addr, OPEN_ONE, bytes((lock,)))


def query_one(addr: int, lock: int) -> bytes:
    """The command that asks for one door's state."""
    return encode(addr, QUERY_ONE, bytes((lock,)))


def query_all(addr: int) -> bytes:
    """The command that asks for every door of a board."""
    return encode(addr, QUERY_ALL)


def flash(addr: int, channel: int) -> bytes:
    """The command that flashes one output channel (a light's; never a lock's, which it would
    hold unlocking until the board restarts)."""
    return encode(addr, FLASH, bytes((channel,)))


def _size(head: bytes) -> int | None:
    if head[: len(HEADER)] != HEADER[: len(head)]:
        return 0
    if len(head) < len(HEADER) + 1:
        return None
    size = head[len(HEADER)]
    return size if MIN_SIZE <= size <= MAX_SIZE else 0


def _plausible(frame: bytes) -> bool:
    return frame.startswith(HEADER)


def _valid(frame: bytes) -> bool:
    return xor_of(frame[:-1]) == frame[-1]


SHAPE = FrameShape(frozenset({HEADER[0]}), _size, _plausible, _valid)
"""Shape of every WKLY frame (commands, replies and pushes alike)."""


def decode(frame: bytes) -> Frame:
    """Split a whole, checksum-checked frame into its fields."""
    if len(frame) < MIN_SIZE or not frame.startswith(HEADER) or frame[4] != len(frame):
        raise ProtocolError(f"not a WKLY frame: {frame.hex(' ')}")
    return Frame(frame[5], frame[6], frame[7:-1])


def _state(value: int) -> bool | None:
    return {STATE_OPEN: True, STATE_CLOSED: False}.get(value)


def status_ok(frame: Frame) -> bool:
    """Whether a reply's status byte (offset 7) says success."""
    if not frame.data:
        raise ProtocolError(f"reply to command {frame.cmd:02X} has no status byte")
    return frame.data[0] == SUCCESS


def door_report(frame: Frame) -> DoorReport:
    """The door in a reply to 82/83 (`STATUS LOCK STATE`) or a push (`[STATUS] LOCK STATE`)."""
    if len(frame.data) < 2:
        raise ProtocolError(f"door report too short: {frame.data.hex(' ')}")
    return DoorReport(frame.data[-2], _state(frame.data[-1]))


def all_doors(frame: Frame) -> dict[int, bool | None]:
    """The doors in a reply to 84 (`STATUS COUNT STATE1..STATEn`)."""
    if len(frame.data) < 2 or len(frame.data) != 2 + frame.data[1]:
        raise ProtocolError(f"bad query-all reply data: {frame.data.hex(' ')}")
    return {lock: _state(value) for lock, value in enumerate(frame.data[2:], start=1)}


def door_reply(addr: int, cmd: int, lock: int, is_open: bool, ok: bool = True) -> bytes:
    """A board's reply to 82 or 83."""
    state = STATE_OPEN if is_open else STATE_CLOSED
    return encode(addr, cmd, bytes((SUCCESS if ok else FAILURE, lock, state)))


def all_doors_reply(addr: int, doors: list[bool]) -> bytes:
    """A board's reply to 84, doors listed from lock 1."""
    states = bytes(STATE_OPEN if is_open else STATE_CLOSED for is_open in doors)
    return encode(addr, QUERY_ALL, bytes((SUCCESS, len(states))) + states)


def status_reply(addr: int, cmd: int, ok: bool = True) -> bytes:
    """A board's bare status reply (e.g. to 81)."""
    return encode(addr, cmd, bytes((SUCCESS if ok else FAILURE,)))


def push(addr: int, lock: int, is_open: bool) -> bytes:
    """An unsolicited door push (85) from a board."""
    return encode(addr, PUSH, bytes((lock, STATE_OPEN if is_open else STATE_CLOSED)))
