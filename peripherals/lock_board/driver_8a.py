"""Driver for 8A-family boards (9600 8N1, 5-byte XOR frames)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from peripherals.errors import DeviceUnavailable, ProtocolError
from peripherals.events import Dispatcher
from peripherals.lock_board import protocol_8a as p8a
from peripherals.lock_board.base import DoorState, LockBoardFeature
from peripherals.lock_board.bitmap import BitmapLayout
from peripherals.lock_board.serial_board import SerialLockBoard


def bitmap_layouts(
    boards: tuple[int, ...],
    order: str,
    open_bit: int,
    per_board: Mapping[str | int, Mapping[str, Any]] | None,
) -> dict[int, BitmapLayout]:
    """The bitmap layout of every board: the defaults, overridden per board address."""
    try:
        layouts = {board: BitmapLayout(order, int(open_bit)) for board in boards}
        for key, override in (per_board or {}).items():
            board = int(key)
            if board not in layouts:
                raise ValueError(f"board_bitmaps names board {board}, which is not configured")
            layouts[board] = BitmapLayout(
                str(override.get("order", order)), int(override.get("open_bit", open_bit))
            )
    except (ValueError, TypeError, AttributeError) as exc:
        raise DeviceUnavailable(f"bad bitmap option: {exc}", code="lock.bad_option") from exc
    return layouts


class LockBoard8A(SerialLockBoard):
    """8A-family boards; up to 24 doors per board in one query-all reply.

    The query-all bitmap's byte order and polarity are UNCONFIRMED and depend on the board
    model: `bitmap_order` (`low_first`: S1 holds locks 1-8; `high_first`: S3 does) and
    `bitmap_open_bit` (the bit value meaning open) set them for every board, and
    `board_bitmaps = {"2" = {order = "high_first", open_bit = 0}}` per board address.
    Locks beyond 24 are read one at a time.

    No address range is documented: any one-byte address is taken, and `boards = N` counts from
    1 as the documented frames do (`8A 01 01 11 9B` opens board 1 lock 1). When the board
    answers an open is not documented either: the default `open_reply_timeout` (1 s) covers an
    answer sent after the longest coil pulse boards need (~500 ms). The boards have no light
    command; their keep-powered command (9A), which would hold a lock open, is never sent.
    """

    driver: ClassVar[str] = "lockboard-8a"
    family: ClassVar[str] = "8a"
    features: ClassVar[LockBoardFeature] = LockBoardFeature.QUERY_ALL
    default_baudrate: ClassVar[int] = 9600
    default_locks: ClassVar[int] = 24

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        bitmap_order: str = "low_first",
        bitmap_open_bit: int = 1,
        board_bitmaps: Mapping[str | int, Mapping[str, Any]] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(name, dispatcher, **options)
        self._layouts = bitmap_layouts(self.boards, bitmap_order, bitmap_open_bit, board_bitmaps)

    def _command_open(self, board: int, lock: int) -> DoorState:
        frame = self._transact(p8a.open_lock(board, lock), p8a.OPEN_REPLY, self._open_reply_timeout)
        reply = p8a.parse_open_reply(frame)
        self._check_reply_address(board, reply.board)
        _check_lock(lock, reply.lock)
        return DoorState.OPEN if reply.opened else DoorState.CLOSED

    def _command_door(self, board: int, lock: int) -> DoorState:
        reply = p8a.parse_lock_reply(self._transact(p8a.query_lock(board, lock), p8a.LOCK_REPLY))
        self._check_reply_address(board, reply.board)
        _check_lock(lock, reply.lock)
        return DoorState.of(reply.is_open)

    def _command_board(self, board: int) -> dict[int, DoorState]:
        reply = p8a.parse_board_reply(self._transact(p8a.query_board(board), p8a.BOARD_REPLY))
        self._check_reply_address(board, reply.board)
        doors = self._layouts[board].decode(reply.bitmap, self.locks_per_board)
        return {lock: DoorState.of(is_open) for lock, is_open in doors.items()}


def _check_lock(expected: int, got: int) -> None:
    if expected != got:
        raise ProtocolError(f"reply is about lock {got}, expected lock {expected}")
