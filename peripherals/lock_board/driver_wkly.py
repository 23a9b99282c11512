"""Driver for WKLY-family boards (`57 4B 4C 59` frames, unsolicited door pushes)."""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import ClassVar

from peripherals.errors import (
    DeviceFault,
    DeviceTimeout,
    DeviceUnavailable,
    PeripheralError,
    ProtocolError,
)
from peripherals.lock_board import protocol_wkly as pw
from peripherals.lock_board.base import DoorState, LockBoardFeature
from peripherals.lock_board.framing import take_frame
from peripherals.lock_board.serial_board import SerialLockBoard

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Noise:
    """Bytes the reader dropped because they were not part of any frame."""

    count: int


@dataclass(frozen=True)
class _LinkLost:
    """The reader stopped because the port failed."""

    reason: str


_Item = pw.Frame | ProtocolError | _Noise | _LinkLost


class LockBoardWkly(SerialLockBoard):
    """WKLY-family boards, addressed 0-31; `boards = N` counts from 0, where boards sit as
    delivered (LockDemo's always do).

    Boards push door changes (command 85) at any time, so one reader thread owns the port:
    pushes become `DOOR_OPENED` / `DOOR_CLOSED` events, everything else is handed to the
    command waiting for its reply. Boards answer an open (82) 350-450 ms after it, once the
    coil has fired, hence the default `open_reply_timeout` of 1 s. Command 81 flashes an output
    channel: on a lock's channel it keeps that lock unlocking until the board restarts, so a
    light is flashed only on its own channel (`light_channels`); without that option the boards
    have no `LIGHT` capability.
    """

    driver: ClassVar[str] = "lockboard-wkly"
    family: ClassVar[str] = "wkly"
    features: ClassVar[LockBoardFeature] = (
        LockBoardFeature.QUERY_ALL | LockBoardFeature.UNSOLICITED | LockBoardFeature.LIGHT
    )
    default_baudrate: ClassVar[int] = 9600
    first_address: ClassVar[int] = 0
    max_address: ClassVar[int] = pw.MAX_ADDRESS
    default_locks: ClassVar[int] = 24
    default_open_reply_timeout: ClassVar[float] = 1.0
    """Twice the slowest answer LockDemo saw (450 ms), plus the frames' wire time."""

    _replies: queue.Queue[_Item]
    _reader: threading.Thread | None = None

    def _open_link(self) -> None:
        super()._open_link()
        self._replies = queue.Queue()
        self._stop_reader = threading.Event()
        self._reader = threading.Thread(target=self._read_loop, name=f"{self.name}-rx", daemon=True)
        self._reader.start()

    def _close_link(self) -> None:
        self._stop_reader.set()
        if self._reader is not None:
            self._reader.join(timeout=2)
            self._reader = None
        super()._close_link()

    def _command_open(self, board: int, lock: int) -> DoorState:
        request = pw.open_one(board, lock)
        return self._door_command(board, lock, pw.OPEN_ONE, request, self._open_reply_timeout)

    def _command_door(self, board: int, lock: int) -> DoorState:
        return self._door_command(board, lock, pw.QUERY_ONE, pw.query_one(board, lock))

    def _command_board(self, board: int) -> dict[int, DoorState]:
        frame = self._ask(board, pw.QUERY_ALL, pw.query_all(board))
        self._require_success(frame, f"board {board} refused the door query")
        return {
            lock: DoorState.of(is_open)
            for lock, is_open in pw.all_doors(frame).items()
            if lock <= self.locks_per_board
        }

    def _command_flash(self, board: int, channel: int) -> None:
        frame = self._ask(board, pw.FLASH, pw.flash(board, channel))
        self._require_success(frame, f"board {board} refused to flash channel {channel}")

    def _door_command(
        self, board: int, lock: int, cmd: int, request: bytes, timeout: float | None = None
    ) -> DoorState:
        frame = self._ask(board, cmd, request, timeout)
        self._require_success(frame, f"board {board} refused command {cmd:02X} on lock {lock}")
        report = pw.door_report(frame)
        if report.lock != lock:
            raise ProtocolError(f"reply is about lock {report.lock}, expected lock {lock}")
        return DoorState.of(report.is_open)

    @staticmethod
    def _require_success(frame: pw.Frame, message: str) -> None:
        if not pw.status_ok(frame):
            raise DeviceFault(message, code="lock.refused")

    def _ask(self, board: int, cmd: int, request: bytes, timeout: float | None = None) -> pw.Frame:
        """One attempt: send `request` and wait up to `timeout` seconds (default: the query
        timeout) for the reply to `cmd` from the reader."""
        while True:  # replies that came too late for an earlier attempt
            try:
                self._replies.get_nowait()
            except queue.Empty:
                break
        self._write(request)
        noise = 0
        deadline = time.monotonic() + (self._timeout if timeout is None else timeout)
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                item = self._replies.get(timeout=remaining)
            except queue.Empty:
                break
            if isinstance(item, ProtocolError):
                raise item
            if isinstance(item, _LinkLost):
                raise DeviceUnavailable(item.reason)
            if isinstance(item, _Noise):
                noise += item.count
                continue
            if item.cmd != cmd:
                log.debug("ignoring frame %02X while waiting for %02X", item.cmd, cmd)
                noise += 1
                continue
            self._check_reply_address(board, item.addr)
            return item
        if noise:
            raise ProtocolError(
                f"unintelligible reply ({noise} stray bytes or frames) to {request.hex(' ')}",
                code="lock.garbled",
            )
        raise DeviceTimeout(f"no reply to {request.hex(' ')}", code="lock.no_reply")

    def _read_loop(self) -> None:
        buf = bytearray()
        while not self._stop_reader.is_set():
            try:
                chunk = self._read(0.05)
            except PeripheralError as exc:
                if not self._stop_reader.is_set():
                    log.warning("%s: reader stopped: %s", self.name, exc)
                    self._replies.put(_LinkLost(str(exc)))
                return
            if chunk:
                buf += chunk
                self._drain(buf)

    def _drain(self, buf: bytearray) -> None:
        while buf:
            before = len(buf)
            try:
                frame = take_frame(buf, pw.SHAPE)
            except ProtocolError as exc:
                self._replies.put(exc)
                continue
            dropped = before - len(buf) - (len(frame) if frame is not None else 0)
            if dropped:
                self._replies.put(_Noise(dropped))
            if frame is None:
                return
            try:
                decoded = pw.decode(frame)
            except ProtocolError as exc:
                self._replies.put(exc)
                continue
            if decoded.cmd == pw.PUSH:
                self._on_push(decoded)
            else:
                self._replies.put(decoded)

    def _on_push(self, frame: pw.Frame) -> None:
        try:
            report = pw.door_report(frame)
        except ProtocolError as exc:
            log.warning("%s: bad door push: %s", self.name, exc)
            return
        if frame.addr not in self.boards or not 1 <= report.lock <= self.locks_per_board:
            log.warning("%s: push for unknown board %d lock %d", self.name, frame.addr, report.lock)
            return
        self._observe(frame.addr, report.lock, self._sensed(DoorState.of(report.is_open)))
