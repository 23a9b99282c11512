"""Driver for Kerong CU boards (19200 8N1, `02 ADDR LOCK CMD 03 SUM`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from peripherals.errors import DeviceFault, ProtocolError
from peripherals.events import Dispatcher
from peripherals.lock_board import protocol_kerong as pk
from peripherals.lock_board.base import DoorState, LockBoardFeature
from peripherals.lock_board.driver_8a import bitmap_layouts
from peripherals.lock_board.serial_board import SerialLockBoard


class LockBoardKerong(SerialLockBoard):
    """Kerong CU boards (CU16/CU48); `boards = N` counts from address 0.

    The status reply's layout, bitmap order and polarity are UNCONFIRMED (see
    `protocol_kerong`); `bitmap_order`, `bitmap_open_bit` (default 0: a set bit means closed)
    and `board_bitmaps` set them, and `lock_base` is the wire number of lock 1 (default 0).
    One door is read by reading the whole board. No address range is documented: any one-byte
    address is taken. When the board answers an open is not documented: the default
    `open_reply_timeout` (1 s) covers an answer sent after the longest coil pulse (~500 ms).
    The protocol has no light or keep-on command, so no lock can be held open by one.
    """

    driver: ClassVar[str] = "lockboard-kerong"
    family: ClassVar[str] = "kerong"
    features: ClassVar[LockBoardFeature] = LockBoardFeature.QUERY_ALL
    default_baudrate: ClassVar[int] = 19200
    first_address: ClassVar[int] = 0
    default_locks: ClassVar[int] = 16
    max_locks: ClassVar[int] = 48

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        bitmap_order: str = "low_first",
        bitmap_open_bit: int = 0,
        board_bitmaps: Mapping[str | int, Mapping[str, Any]] | None = None,
        lock_base: int = 0,
        **options: Any,
    ) -> None:
        super().__init__(name, dispatcher, **options)
        self._layouts = bitmap_layouts(self.boards, bitmap_order, bitmap_open_bit, board_bitmaps)
        self._lock_base = int(lock_base)

    def _command_open(self, board: int, lock: int) -> DoorState:
        wire_lock = lock - 1 + self._lock_base
        frame = self._transact(
            pk.open_lock(board, wire_lock), pk.OPEN_REPLY, self._open_reply_timeout
        )
        reply = pk.parse_open_reply(frame)
        self._check_reply_address(board, reply.addr)
        if reply.wire_lock != wire_lock:
            raise ProtocolError(f"reply is about wire lock {reply.wire_lock}, not {wire_lock}")
        if not reply.ok:
            raise DeviceFault(f"board {board} refused to open lock {lock}", code="lock.refused")
        # The reply says the lock fired, not that the door moved: the caller reads the door.
        return DoorState.UNKNOWN

    def _command_door(self, board: int, lock: int) -> DoorState:
        return self._command_board(board).get(lock, DoorState.UNKNOWN)

    def _command_board(self, board: int) -> dict[int, DoorState]:
        reply = pk.parse_status_reply(self._transact(pk.query_status(board), pk.STATUS_REPLY))
        self._check_reply_address(board, reply.addr)
        if not reply.ok:
            raise DeviceFault(f"board {board} refused the status query", code="lock.refused")
        doors = self._layouts[board].decode(reply.bitmap, self.locks_per_board)
        return {lock: DoorState.of(is_open) for lock, is_open in doors.items()}
