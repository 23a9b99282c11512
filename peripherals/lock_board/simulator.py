"""A bus of simulated lock boards on a pty, speaking one family's real bytes.

Each door has a state: opening a lock opens its door unless the lock is jammed; `close_door`
shuts it. Faults make boards misbehave the way real ones do (`silent`: acts but its reply is
lost; `deaf`: the command is lost, nothing happens; `bad_checksum`, `garbage`,
`wrong_address`). The simulator also checks the driver's manners: frames must arrive whole, one
at a time (never before the previous reply), never two coils of one board energised at once,
and no lock's channel left held on (`held`: a WKLY light command or an 8A/WKLY keep-on command
on a lock's channel keeps that lock unlocking until the board restarts). With `wire_time` it
waits as long as the bytes take at `baudrate`; with `open_reply_delay` it answers an open only
after that long, as WKLY boards do (350-450 ms after the command). With `feedback =
"unlocked-short"` its locks' contacts are wired the other way round: every door state it
reports (state bytes, bitmaps, pushes) is inverted, as real boards with such locks report them.
"""

from __future__ import annotations

import logging
import os
import random
import select
import threading
import time
import tty
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from peripherals.errors import ProtocolError
from peripherals.lock_board import protocol_8a as p8a
from peripherals.lock_board import protocol_kerong as pk
from peripherals.lock_board import protocol_wkly as pw
from peripherals.lock_board.bitmap import BitmapLayout
from peripherals.lock_board.feedback import Feedback
from peripherals.lock_board.framing import FrameShape, take_frame

log = logging.getLogger(__name__)

FAMILIES = ("8a", "wkly", "kerong")
"""Families the simulator speaks."""

FAULTS = ("silent", "deaf", "bad_checksum", "garbage", "wrong_address")
"""Faults `fail()` can inject."""

_FIRST_ADDRESS = {"8a": 1, "wkly": 0, "kerong": 0}
_DEFAULT_LOCKS = {"8a": 24, "wkly": 24, "kerong": 16}
_DEFAULT_OPEN_BIT = {"8a": 1, "wkly": 1, "kerong": 0}
_SHAPES: dict[str, FrameShape] = {"8a": p8a.REQUEST, "wkly": pw.SHAPE, "kerong": pk.REQUEST}


@dataclass
class _Reply:
    """What a board answers: one frame builder per reply address, plus door changes to push."""

    board: int
    build: Callable[[int], bytes]
    """The reply frame as sent from a given address (a wrong one, for the fault)."""
    pushes: list[tuple[int, int, bool]] = field(default_factory=list)
    delay: float = 0.0
    """Seconds the board takes before it answers (an open, on boards that answer late)."""


class LockBusSimulator:
    """Simulated boards of one family behind a pty; point a driver's `port` at `.port`."""

    def __init__(
        self,
        family: str = "8a",
        *,
        boards: int | Sequence[int] = 2,
        locks_per_board: int | None = None,
        baudrate: int = 9600,
        wire_time: bool = False,
        coil_time: float = 0.0,
        open_reply_delay: float | tuple[float, float] = 0.0,
        bitmap_order: str = "low_first",
        bitmap_open_bit: int | None = None,
        board_bitmaps: Mapping[str | int, Mapping[str, Any]] | None = None,
        lock_base: int = 0,
        feedback: str = "locked-short",
        seed: int = 0,
    ) -> None:
        family = family.lower()
        if family not in FAMILIES:
            raise ValueError(f"family must be one of {', '.join(FAMILIES)}, not {family!r}")
        self.family = family
        first = _FIRST_ADDRESS[family]
        self.boards = (
            tuple(range(first, first + boards)) if isinstance(boards, int) else tuple(boards)
        )
        self.locks_per_board = locks_per_board or _DEFAULT_LOCKS[family]
        self.baudrate = baudrate
        self.wire_time = wire_time
        self.coil_time = coil_time
        self.open_reply_delay = open_reply_delay
        """Seconds before an open is answered, or a (low, high) range drawn from per open."""
        open_bit = _DEFAULT_OPEN_BIT[family] if bitmap_open_bit is None else bitmap_open_bit
        self._layouts = {board: BitmapLayout(bitmap_order, open_bit) for board in self.boards}
        for key, override in (board_bitmaps or {}).items():
            self._layouts[int(key)] = BitmapLayout(
                str(override.get("order", bitmap_order)), int(override.get("open_bit", open_bit))
            )
        self._lock_base = lock_base
        self.feedback = Feedback(feedback)
        """How the simulated locks' feedback contacts are wired."""
        self._rng = random.Random(seed)
        self._doors = {(b, lock): False for b in self.boards for lock in self._all_locks()}
        self._jammed: set[tuple[int, int]] = set()
        self._faults: dict[int | None, str] = {}
        self._fault_left: dict[int | None, int] = {}
        self._energised_until: dict[int, float] = {}
        self._pending_pushes: list[tuple[int, int, bool]] = []
        self._state = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._master = self._slave = self._wake_r = self._wake_w = -1
        self.port = ""
        self.frames: list[bytes] = []
        """Every whole, valid frame received, in order."""
        self.frame_times: list[float] = []
        """When each frame of `frames` was whole (`time.perf_counter()`)."""
        self.replies = 0
        """Replies sent."""
        self.rx_bytes = 0
        """Bytes of whole frames received."""
        self.reply_bytes = 0
        """Bytes of replies sent (pushes not counted)."""
        self.bad_frames = 0
        """Frames received with a bad checksum."""
        self.noise_bytes = 0
        """Bytes received that were not part of any frame (e.g. two frames mixed up)."""
        self.overlaps = 0
        """Frames that arrived before the previous frame's reply was sent."""
        self.coil_overlaps = 0
        """Opens that arrived while another lock of the same board was still energised."""
        self.opened: list[tuple[int, int]] = []
        """Every (board, lock) an open command fired."""
        self.held: set[tuple[int, int]] = set()
        """Locks (board, lock) a command left energised until the board restarts."""
        self.flashed: list[tuple[int, int]] = []
        """Every (board, channel) a light command flashed that drives no lock."""
        self.close_after_reads: int | None = None
        """When set, someone shuts a door opened by a command once the boards have reported
        it open this many times (a courier or resident who closes the door)."""
        self._open_reports: dict[tuple[int, int], int] = {}

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> str:
        """Create the pty and start answering; returns the port path for the driver."""
        if self._thread is not None:
            return self.port
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self._wake_r, self._wake_w = os.pipe()
        self.port = os.ttyname(self._slave)
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name=f"lockbus-sim-{self.family}", daemon=True
        )
        self._thread.start()
        log.debug("lock bus simulator (%s) on %s", self.family, self.port)
        return self.port

    def stop(self) -> None:
        """Stop answering and release the pty."""
        if self._thread is None:
            return
        self._stop.set()
        os.write(self._wake_w, b"x")
        self._thread.join(timeout=2)
        self._thread = None
        for fd in (self._master, self._slave, self._wake_r, self._wake_w):
            os.close(fd)
        self._master = self._slave = self._wake_r = self._wake_w = -1

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- switches (tests and the service menu) ----------------------------------------------

    def door_open(self, board: int, lock: int) -> bool:
        """Whether a door is open now."""
        with self._state:
            return self._doors[(board, lock)]

    def close_door(self, board: int, lock: int) -> None:
        """Someone shuts a door."""
        self._set_door(board, lock, False)

    def open_door(self, board: int, lock: int) -> None:
        """Someone pulls a door open (forced, or it was never latched)."""
        self._set_door(board, lock, True)

    def jam(self, board: int, lock: int, jammed: bool = True) -> None:
        """Make a lock fire without its door opening (or undo that)."""
        with self._state:
            self._check(board, lock)
            if jammed:
                self._jammed.add((board, lock))
            else:
                self._jammed.discard((board, lock))

    def fail(self, fault: str | None, board: int | None = None, times: int | None = None) -> None:
        """Inject a fault on one board (or all), for the next `times` replies or until
        `fail(None)` clears it."""
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"fault must be one of {', '.join(FAULTS)} or None, not {fault!r}")
        with self._state:
            if fault is None:
                self._faults.pop(board, None)
                self._fault_left.pop(board, None)
                if board is None:
                    self._faults.clear()
                    self._fault_left.clear()
            else:
                self._faults[board] = fault
                if times is None:
                    self._fault_left.pop(board, None)
                else:
                    self._fault_left[board] = times

    def wait_for_frames(self, count: int, timeout: float) -> bool:
        """Wait until at least `count` frames have arrived."""
        with self._state:
            return self._state.wait_for(lambda: len(self.frames) >= count, timeout)

    def wire_seconds(self, nbytes: int) -> float:
        """How long `nbytes` take on the wire at the bus speed (10 bits a byte)."""
        return nbytes * 10 / self.baudrate

    # -- the board side ---------------------------------------------------------------------

    def _all_locks(self) -> range:
        return range(1, self.locks_per_board + 1)

    def _check(self, board: int, lock: int) -> None:
        if (board, lock) not in self._doors:
            raise ValueError(f"no board {board} lock {lock} on this simulated bus")

    def _set_door(self, board: int, lock: int, is_open: bool) -> None:
        with self._state:
            self._check(board, lock)
            changed = self._doors[(board, lock)] != is_open
            self._doors[(board, lock)] = is_open
            if changed and self.family == "wkly":
                self._pending_pushes.append((board, lock, is_open))
        if changed and self._wake_w >= 0:
            os.write(self._wake_w, b"p")

    def _run(self) -> None:
        buf = bytearray()
        shape = _SHAPES[self.family]
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master, self._wake_r], [], [], 0.5)
            if self._wake_r in ready:
                os.read(self._wake_r, 64)
                self._send_pushes()
            if self._master not in ready or self._stop.is_set():
                continue
            try:
                buf += os.read(self._master, 4096)
            except OSError:
                continue
            while buf:
                before = len(buf)
                try:
                    frame = take_frame(buf, shape)
                except ProtocolError:
                    with self._state:
                        self.bad_frames += 1
                    continue
                dropped = before - len(buf) - (len(frame) if frame else 0)
                if dropped:
                    with self._state:
                        self.noise_bytes += dropped
                if frame is None:
                    break
                self._serve(frame, pending=bool(buf))

    def _serve(self, frame: bytes, pending: bool) -> None:
        with self._state:
            self.frames.append(frame)
            self.frame_times.append(time.perf_counter())
            self.rx_bytes += len(frame)
            self._state.notify_all()
        if self.wire_time:
            self._stop.wait(self.wire_seconds(len(frame)))
        board = self._addressed(frame)
        with self._state:
            fault = self._take_fault(board) if board in self.boards else None
        if fault == "deaf":
            return
        reply = self._answer(frame)
        if reply is None:
            return
        if reply.delay > 0:
            self._stop.wait(reply.delay)
        if fault != "silent":
            out = reply.build(reply.board + 1 if fault == "wrong_address" else reply.board)
            if fault == "bad_checksum":
                out = out[:-1] + bytes(((out[-1] ^ 0xFF),))
            elif fault == "garbage":
                out = bytes(self._rng.randrange(256) for _ in out)
            early, _, _ = select.select([self._master], [], [], 0)
            if pending or early:
                with self._state:
                    self.overlaps += 1
            if self.wire_time:
                self._stop.wait(self.wire_seconds(len(out)))
            os.write(self._master, out)
            with self._state:
                self.replies += 1
                self.reply_bytes += len(out)
        if reply.pushes:
            with self._state:
                self._pending_pushes.extend(reply.pushes)
            self._send_pushes()
        self._closing_after_report(board)

    def _closing_after_report(self, board: int) -> None:
        """Count a reply about a board's opened doors; shut those reported often enough."""
        if self.close_after_reads is None:
            return
        shut = []
        with self._state:
            for key in list(self._open_reports):
                if key[0] != board or not self._doors[key]:
                    continue
                self._open_reports[key] += 1
                if self._open_reports[key] >= self.close_after_reads:
                    del self._open_reports[key]
                    shut.append(key)
        for key in shut:
            self.close_door(*key)

    def _addressed(self, frame: bytes) -> int:
        """The board address a command frame is for."""
        return frame[5] if self.family == "wkly" else frame[1]

    def _open_delay(self) -> float:
        delay = self.open_reply_delay
        if isinstance(delay, tuple):
            low, high = delay
            return self._rng.uniform(low, high)
        return float(delay)

    def _hold(self, board: int, lock: int) -> None:
        """A command left a lock's coil on: it stays unlocking (its door opens) until a restart."""
        with self._state:
            self.held.add((board, lock))
        self._fire(board, lock)

    def _take_fault(self, board: int) -> str | None:
        key: int | None = board if board in self._faults else None
        fault = self._faults.get(key)
        if fault is not None and key in self._fault_left:
            self._fault_left[key] -= 1
            if self._fault_left[key] <= 0:
                del self._faults[key], self._fault_left[key]
        return fault

    def _send_pushes(self) -> None:
        with self._state:
            pushes, self._pending_pushes = self._pending_pushes, []
            silent = {
                b for b in self.boards if self._faults.get(b, self._faults.get(None)) == "silent"
            }
        for board, lock, is_open in pushes:
            if board in silent:
                continue
            frame = pw.push(board, lock, self._sensed(is_open))
            if self.wire_time:
                self._stop.wait(self.wire_seconds(len(frame)))
            os.write(self._master, frame)

    def _fire(self, board: int, lock: int) -> bool:
        """Energise one lock; returns whether its door is now open."""
        now = time.monotonic()
        with self._state:
            if self._energised_until.get(board, 0.0) > now:
                self.coil_overlaps += 1
            self._energised_until[board] = now + self.coil_time
            self.opened.append((board, lock))
            key = (board, lock)
            if key not in self._jammed:
                self._doors[key] = True
                self._open_reports[key] = 0
            return self._doors[key]

    def _answer(self, frame: bytes) -> _Reply | None:
        if self.family == "8a":
            return self._answer_8a(frame)
        if self.family == "wkly":
            return self._answer_wkly(frame)
        return self._answer_kerong(frame)

    def _doors_of(self, board: int) -> dict[int, bool]:
        """Every door of a board as its contacts report it (inverted for unlocked-short)."""
        with self._state:
            return {lock: self._sensed(self._doors[(board, lock)]) for lock in self._all_locks()}

    def _sensed(self, is_open: bool) -> bool:
        """What the board reports for a door, given how its lock's contact is wired."""
        return is_open if self.feedback is Feedback.LOCKED_SHORT else not is_open

    def _answer_8a(self, frame: bytes) -> _Reply | None:
        header, board, lock, func = frame[0], frame[1], frame[2], frame[3]
        if board not in self.boards:
            return None
        if header == p8a.OPEN and func == p8a.FUNC_OPEN and lock in self._all_locks():
            opened = self._sensed(self._fire(board, lock))
            return _Reply(
                board, lambda a: p8a.open_reply(a, lock, opened), delay=self._open_delay()
            )
        if header == p8a.KEEP_POWERED and lock in self._all_locks():
            self._hold(board, lock)
            return None
        if header == p8a.QUERY and func == p8a.FUNC_QUERY:
            doors = self._doors_of(board)
            if lock == 0:
                bitmap = self._layouts[board].encode(doors, p8a.BITMAP_BYTES)
                return _Reply(board, lambda a: p8a.board_reply(a, bitmap))
            if lock in doors:
                return _Reply(board, lambda a: p8a.lock_reply(a, lock, doors[lock]))
        return None

    def _answer_wkly(self, raw: bytes) -> _Reply | None:
        frame = pw.decode(raw)
        board = frame.addr
        if board not in self.boards:
            return None
        doors = self._doors_of(board)
        lock = frame.data[0] if frame.data else 0
        if frame.cmd == pw.OPEN_ONE and lock in doors:
            was_open = self.door_open(board, lock)
            now_open = self._fire(board, lock)
            pushes = [(board, lock, True)] if now_open and not was_open else []
            return _Reply(
                board,
                lambda a: pw.door_reply(a, pw.OPEN_ONE, lock, self._sensed(now_open)),
                pushes,
                delay=self._open_delay(),
            )
        if frame.cmd == pw.QUERY_ONE and lock in doors:
            return _Reply(board, lambda a: pw.door_reply(a, pw.QUERY_ONE, lock, doors[lock]))
        if frame.cmd == pw.QUERY_ALL:
            states = [doors[n] for n in sorted(doors)]
            return _Reply(board, lambda a: pw.all_doors_reply(a, states))
        if frame.cmd in (pw.FLASH, pw.KEEP_ON) and lock in doors:
            # The hazard LockDemo warns of: a light command on a lock's channel holds it open.
            self._hold(board, lock)
            return _Reply(board, lambda a: pw.status_reply(a, frame.cmd))
        if frame.cmd == pw.FLASH and lock > 0:
            with self._state:
                self.flashed.append((board, lock))
            return _Reply(board, lambda a: pw.status_reply(a, pw.FLASH))
        return None

    def _answer_kerong(self, frame: bytes) -> _Reply | None:
        board, wire_lock, cmd = frame[1], frame[2], frame[3]
        if board not in self.boards:
            return None
        if cmd == pk.OPEN:
            lock = wire_lock + 1 - self._lock_base
            if lock not in self._all_locks():
                return _Reply(board, lambda a: pk.open_reply(a, wire_lock, ok=False))
            self._fire(board, lock)
            return _Reply(board, lambda a: pk.open_reply(a, wire_lock), delay=self._open_delay())
        if cmd == pk.STATUS:
            doors = self._doors_of(board)
            size = (self.locks_per_board + 7) // 8
            bitmap = self._layouts[board].encode(doors, size)
            return _Reply(board, lambda a: pk.status_reply(a, bitmap))
        return None
