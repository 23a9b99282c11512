"""8A-family frames: 5-byte `HDR BOARD LOCK FUNC XOR` commands (9600 8N1).

Command bytes are as documented (`8A 01 01 11 9B` opens board 1 lock 1; `80 01 01 33 B3`
queries it; lock 0 means the whole board). Replies, as the widely copied manual gives them for
locks whose feedback contact shorts while locked (`feedback.Feedback.LOCKED_SHORT`; the other
wiring inverts every state):

- open: `8A BOARD LOCK STATE XOR`, STATE 00 = opened (`8A 01 01 00 8A`), 11 = not opened
  (`8A 01 01 11 9B`); the driver confirms every open by querying the door anyway;
- query one lock: `80 BOARD LOCK STATE XOR` (`80 01 01 00 80`), STATE 00 = open, 11 = closed.
  A six-byte form with the function byte echoed (`80 BOARD LOCK STATE 33 XOR`) is accepted too,
  its state byte read the same way;
- query the board: `80 BOARD S1 S2 S3 33 XOR`, a 24-lock bitmap whose byte order and polarity
  are UNCONFIRMED (see `BitmapLayout`).
"""

from __future__ import annotations

from dataclasses import dataclass

from peripherals.errors import ProtocolError
from peripherals.lock_board.framing import FrameShape, xor_of

OPEN = 0x8A
QUERY = 0x80
MULTI_OPEN = 0x90
KEEP_POWERED = 0x9A
POWER_OFF = 0x9B
FUNC_OPEN = 0x11
FUNC_QUERY = 0x33
STATE_OPEN = 0x00
STATE_CLOSED = 0x11
BITMAP_BYTES = 3
BITMAP_LOCKS = BITMAP_BYTES * 8

OPEN_REPLY_SIZE = 5
LOCK_REPLY_SIZE = 5
LONG_LOCK_REPLY_SIZE = 6
BOARD_REPLY_SIZE = 7


@dataclass(frozen=True)
class OpenReply:
    """A board's answer to an open command."""

    board: int
    lock: int
    opened: bool


@dataclass(frozen=True)
class LockReply:
    """A board's answer to a one-lock query; `is_open` is None for a status byte we don't know."""

    board: int
    lock: int
    is_open: bool | None


@dataclass(frozen=True)
class BoardReply:
    """A board's answer to a whole-board query: the raw bitmap bytes S1 S2 S3."""

    board: int
    bitmap: bytes


def _frame(header: int, board: int, lock: int, func: int) -> bytes:
    for name, value in (("board", board), ("lock", lock)):
        if not 0 <= value <= 0xFF:
            raise ValueError(f"{name} {value} does not fit in one byte")
    body = bytes((header, board, lock, func))
    return body + bytes((xor_of(body),))


def open_lock(board: int, lock: int) -> bytes:
    """The command that opens one lock."""
    return _frame(OPEN, board, lock, FUNC_OPEN)


def open_all(board: int) -> bytes:
    """The command that opens every lock of a board (the board sequences them)."""
    return _frame(OPEN, board, 0, FUNC_OPEN)


def query_lock(board: int, lock: int) -> bytes:
    """The command that asks for one door's state."""
    return _frame(QUERY, board, lock, FUNC_QUERY)


def query_board(board: int) -> bytes:
    """The command that asks for every door of a board."""
    return _frame(QUERY, board, 0, FUNC_QUERY)


def _valid(frame: bytes) -> bool:
    return xor_of(frame[:-1]) == frame[-1]


OPEN_REPLY = FrameShape(frozenset({OPEN}), lambda _: OPEN_REPLY_SIZE, lambda _: True, _valid)
"""Shape of the reply to an open command."""


def _lock_reply_size(head: bytes) -> int | None:
    """5 when the fifth byte checks the first four (the manual's frame), else 6 (echoed 33)."""
    if len(head) < LOCK_REPLY_SIZE:
        return None
    return LOCK_REPLY_SIZE if xor_of(head[:4]) == head[4] else LONG_LOCK_REPLY_SIZE


LOCK_REPLY = FrameShape(
    frozenset({QUERY}),
    _lock_reply_size,
    lambda f: len(f) == LOCK_REPLY_SIZE or f[4] == FUNC_QUERY,
    _valid,
)
"""Shape of the reply to a one-lock query (five bytes, or six with the function echoed)."""

BOARD_REPLY = FrameShape(
    frozenset({QUERY}), lambda _: BOARD_REPLY_SIZE, lambda f: f[5] == FUNC_QUERY, _valid
)
"""Shape of the reply to a whole-board query."""

REQUEST = FrameShape(
    frozenset({OPEN, QUERY, MULTI_OPEN, KEEP_POWERED, POWER_OFF}),
    lambda _: 5,
    lambda _: True,
    _valid,
)
"""Shape of a command, as a board sees it."""


def parse_open_reply(frame: bytes) -> OpenReply:
    """Decode an open reply (already checksum-checked)."""
    if len(frame) != OPEN_REPLY_SIZE or frame[0] != OPEN:
        raise ProtocolError(f"not an open reply: {frame.hex(' ')}")
    return OpenReply(frame[1], frame[2], frame[3] == STATE_OPEN)


def parse_lock_reply(frame: bytes) -> LockReply:
    """Decode a one-lock query reply (already checksum-checked)."""
    long_form = len(frame) == LONG_LOCK_REPLY_SIZE and frame[4] == FUNC_QUERY
    if not (len(frame) == LOCK_REPLY_SIZE or long_form) or frame[0] != QUERY:
        raise ProtocolError(f"not a lock query reply: {frame.hex(' ')}")
    status = {STATE_OPEN: True, STATE_CLOSED: False}.get(frame[3])
    return LockReply(frame[1], frame[2], status)


def parse_board_reply(frame: bytes) -> BoardReply:
    """Decode a whole-board query reply (already checksum-checked)."""
    if len(frame) != BOARD_REPLY_SIZE or frame[0] != QUERY or frame[5] != FUNC_QUERY:
        raise ProtocolError(f"not a board query reply: {frame.hex(' ')}")
    return BoardReply(frame[1], frame[2:5])


def open_reply(board: int, lock: int, opened: bool) -> bytes:
    """The reply a board sends to an open command (states as for `locked-short` wiring)."""
    return _frame(OPEN, board, lock, STATE_OPEN if opened else STATE_CLOSED)


def lock_reply(board: int, lock: int, is_open: bool, *, long_form: bool = False) -> bytes:
    """The reply a board sends to a one-lock query: the manual's five bytes, or six with the
    function byte echoed (`long_form`)."""
    state = STATE_OPEN if is_open else STATE_CLOSED
    if not long_form:
        return _frame(QUERY, board, lock, state)
    body = bytes((QUERY, board, lock, state, FUNC_QUERY))
    return body + bytes((xor_of(body),))


def board_reply(board: int, bitmap: bytes) -> bytes:
    """The reply a board sends to a whole-board query."""
    if len(bitmap) != BITMAP_BYTES:
        raise ValueError("the 8A board bitmap is three bytes")
    body = bytes((QUERY, board)) + bitmap + bytes((FUNC_QUERY,))
    return body + bytes((xor_of(body),))
