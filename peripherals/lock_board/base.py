"""The lock-board abstraction: open a lock, read its door, one command at a time."""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from peripherals.device import Device
from peripherals.errors import (
    Busy,
    DeviceFault,
    DeviceTimeout,
    DeviceUnavailable,
    MediaError,
    PeripheralError,
    ProtocolError,
)
from peripherals.events import Dispatcher, EventType
from peripherals.lock_board.feedback import Feedback, feedback_option
from peripherals.lock_board.options import (
    AddressRange,
    BadLockOption,
    board_addresses,
    light_channel_map,
)
from peripherals.status import Health, State

log = logging.getLogger(__name__)

T = TypeVar("T")


class DoorState(enum.StrEnum):
    """A compartment door as its sensor reports it."""

    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, is_open: bool | None) -> DoorState:
        """The state for a decoded sensor value (None: the board sent something we don't know)."""
        if is_open is None:
            return cls.UNKNOWN
        return cls.OPEN if is_open else cls.CLOSED


class LockBoardFeature(enum.IntFlag):
    """What a board family can do beyond opening one lock and reading one door."""

    NONE = 0
    QUERY_ALL = enum.auto()
    """One command reads every door of a board."""
    UNSOLICITED = enum.auto()
    """Boards push door changes without being asked."""
    LIGHT = enum.auto()
    """Boards can flash a compartment's light (on the light's own channel)."""


@dataclass(frozen=True)
class Energising:
    """An open command about to go out: the lock's coil fires if the board hears it."""

    board: int
    lock: int
    attempt: int
    """1 for the first command; more when one went unanswered and the door then read closed."""
    after: str | None = None
    """Why it is sent again: the failure code of the attempt before (e.g. `lock.no_reply`)."""


EnergiseHook = Callable[[Energising], None]
"""Called before each open command is written (the kiosk journals it)."""


class LockBoard(Device):
    """Boards on one RS-485 bus, addressed by number, each with locks numbered from 1.

    Public methods are concrete: they validate addresses, serialise the bus (one command at a
    time, each query attempt bounded by `timeout`, each open attempt by `open_reply_timeout`,
    repeated `retries` times), never send an open again without first reading the door (a
    board may fire and its reply be lost or late), keep two locks of one board from being
    energised together, and turn observed door changes into `DOOR_OPENED` / `DOOR_CLOSED`
    events. Drivers implement one attempt of each command (`_command_*`) and `_open_link` /
    `_close_link`.

    Options: `boards` (a count from the family's first address, a list of addresses such as
    `[0]`, or a range `"0-3"`), `locks_per_board`, `timeout`, `open_reply_timeout`, `retries`,
    `open_timeout` (seconds for the door to read open), `poll_interval`, `coil_time`,
    `watch_interval`, `light_channels` (families with `LIGHT`: `{"LOCK" = CHANNEL}`, each light
    on a channel of its own above `locks_per_board`), `feedback` (`locked-short`, the default,
    or `unlocked-short`: every door reading inverted, for locks whose contact shorts unlocked).
    """

    kind: ClassVar[str] = "lock_board"
    family: ClassVar[str] = ""
    """The protocol family: 8a, wkly or kerong."""
    features: ClassVar[LockBoardFeature] = LockBoardFeature.NONE
    first_address: ClassVar[int] = 1
    """Where `boards = N` starts counting: the address the family's boards are delivered with."""
    min_address: ClassVar[int] = 0
    max_address: ClassVar[int] = 0xFF
    default_locks: ClassVar[int] = 24
    max_locks: ClassVar[int] = 0xFF
    max_channel: ClassVar[int] = 0xFF
    """Highest output channel a command can name (locks are channels 1-`locks_per_board`)."""
    default_timeout: ClassVar[float] = 0.3
    """Seconds to wait for the answer to a query (boards answer those at once)."""
    default_open_reply_timeout: ClassVar[float] = 1.0
    """Seconds to wait for the answer to an open: boards answer after the coil pulse."""

    def __init__(
        self,
        name: str | None = None,
        dispatcher: Dispatcher | None = None,
        *,
        boards: object = 1,
        locks_per_board: int | None = None,
        timeout: float | None = None,
        open_reply_timeout: float | None = None,
        retries: int = 2,
        open_timeout: float = 2.0,
        poll_interval: float = 0.05,
        coil_time: float = 0.3,
        watch_interval: float = 0.0,
        light_channels: object = None,
        feedback: object = Feedback.LOCKED_SHORT,
    ) -> None:
        super().__init__(name, dispatcher)
        self._feedback = feedback_option(feedback)
        self._boards = board_addresses(
            boards,
            self._family_name(),
            AddressRange(self.min_address, self.max_address, self.first_address),
        )
        self._locks = self.default_locks if locks_per_board is None else int(locks_per_board)
        if not 1 <= self._locks <= self.max_locks:
            raise _bad_option(f"locks_per_board must be 1-{self.max_locks}, not {self._locks}")
        timeout = self.default_timeout if timeout is None else timeout
        if open_reply_timeout is None:
            open_reply_timeout = self.default_open_reply_timeout
        for option, value in (
            ("timeout", timeout),
            ("open_reply_timeout", open_reply_timeout),
            ("open_timeout", open_timeout),
            ("poll_interval", poll_interval),
        ):
            if not value > 0:
                raise _bad_option(f"{option} must be positive, not {value!r}")
        if retries < 0 or coil_time < 0 or watch_interval < 0:
            raise _bad_option("retries, coil_time and watch_interval cannot be negative")
        self._lights = light_channel_map(
            light_channels,
            self._family_name(),
            has_lights=bool(self.features & LockBoardFeature.LIGHT),
            locks=self._locks,
            max_channel=self.max_channel,
        )
        self._timeout = float(timeout)
        self._open_reply_timeout = float(open_reply_timeout)
        self._retries = int(retries)
        self._open_timeout = float(open_timeout)
        self._poll_interval = float(poll_interval)
        self._coil_time = float(coil_time)
        self._watch_interval = float(watch_interval)
        self._bus = threading.Lock()
        self._board_guards = {board: threading.Lock() for board in self._boards}
        self._last_energised: dict[int, float] = {}
        self._known: dict[tuple[int, int], DoorState] = {}
        self._known_lock = threading.Lock()
        self._closing = threading.Event()
        self._watcher: threading.Thread | None = None

    # -- public API -------------------------------------------------------------------------

    @property
    def boards(self) -> tuple[int, ...]:
        """Addresses of the configured boards."""
        return self._boards

    @property
    def locks_per_board(self) -> int:
        """How many locks each board drives (numbered from 1)."""
        return self._locks

    @property
    def feedback(self) -> Feedback:
        """How the locks' feedback contacts are wired (what a reading of open means)."""
        return self._feedback

    @property
    def capabilities(self) -> LockBoardFeature:
        """What these boards can do as configured (lights only with `light_channels`)."""
        if self._lights:
            return self.features
        return self.features & ~LockBoardFeature.LIGHT

    def open_lock(
        self,
        board: int,
        lock: int,
        timeout: float | None = None,
        *,
        on_energise: EnergiseHook | None = None,
    ) -> DoorState:
        """Open one lock and wait until its door reports open.

        An open that goes unanswered is sent again only if the door then reads closed, and
        `on_energise` hears of every open command before it goes out. Raises `MediaError`
        (code `lock.jammed`) when the door still reads closed after `timeout` seconds (default:
        the `open_timeout` option), `DeviceTimeout` when the board does not answer,
        `ProtocolError` when its answers are garbled.
        """
        self._check_address(board, lock)
        limit = self._open_timeout if timeout is None else timeout
        guard = self._board_guards[board]
        if not guard.acquire(timeout=2 * (limit + self._worst_open())):
            raise Busy(f"board {board} is still busy opening another lock", code="lock.busy")
        try:
            log.info("opening board %d lock %d", board, lock)
            state = self._energise(board, lock, on_energise)
            self._observe(board, lock, state)
            deadline = time.monotonic() + limit
            looked = 0
            while state is not DoorState.OPEN:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise MediaError(
                        f"board {board} lock {lock}: door still {state.value} "
                        f"{limit:g} s after opening",
                        code="lock.jammed",
                    )
                # An ack that does not say how the door is gets an immediate look.
                pause = 0.0 if looked == 0 and state is DoorState.UNKNOWN else self._poll_interval
                looked += 1
                if self._closing.wait(min(pause, remaining)):
                    raise DeviceUnavailable(f"{self.name} closed while opening a lock")
                state = self.door_state(board, lock)
            return state
        finally:
            guard.release()

    def door_state(self, board: int, lock: int) -> DoorState:
        """Read one door's state from its board."""
        self._check_address(board, lock)
        state = self._exchange(
            f"query board {board} lock {lock}",
            lambda: self._sensed(self._command_door(board, lock)),
        )
        self._observe(board, lock, state)
        return state

    def door_states(self, board: int) -> dict[int, DoorState]:
        """Read every door of one board (one command where the family has one)."""
        self._check_address(board, 1)
        if self.features & LockBoardFeature.QUERY_ALL:
            doors = self._exchange(
                f"query board {board}",
                lambda: {n: self._sensed(s) for n, s in self._command_board(board).items()},
            )
        else:
            doors = {}
        states: dict[int, DoorState] = {}
        for lock in range(1, self._locks + 1):
            if lock in doors:
                states[lock] = doors[lock]
                self._observe(board, lock, doors[lock])
            else:
                states[lock] = self.door_state(board, lock)
        return states

    def flash_light(self, board: int, lock: int) -> None:
        """Flash a compartment's light on the light's own channel (`light_channels`)."""
        self._check_address(board, lock)
        if not self.features & LockBoardFeature.LIGHT:
            raise DeviceFault(f"{self.driver} boards have no lights", code="lock.unsupported")
        channel = self._lights.get(lock)
        if channel is None:
            # Never the lock's own channel: a flash there holds the lock open until a restart.
            raise DeviceFault(
                f"lock {lock} has no light channel of its own (option light_channels); "
                "its lock's channel is never flashed",
                code="lock.no_light",
            )
        self._exchange(
            f"flash board {board} channel {channel} (lock {lock}'s light)",
            lambda: self._command_flash(board, channel),
        )

    # -- driver hooks (one attempt each, called with the bus held) --------------------------

    def _open_link(self) -> None:
        """Driver hook: open the port."""
        raise NotImplementedError

    def _close_link(self) -> None:
        """Driver hook: close the port."""
        raise NotImplementedError

    def _command_open(self, board: int, lock: int) -> DoorState:
        """Driver hook: send one open command; return the door state the reply reports."""
        raise NotImplementedError

    def _command_door(self, board: int, lock: int) -> DoorState:
        """Driver hook: ask for one door's state."""
        raise NotImplementedError

    def _command_board(self, board: int) -> dict[int, DoorState]:
        """Driver hook: ask for every door of a board (may leave some locks out)."""
        raise NotImplementedError

    def _command_flash(self, board: int, channel: int) -> None:
        """Driver hook: flash one output channel (a light's, never a lock's)."""
        raise NotImplementedError

    # -- machinery --------------------------------------------------------------------------

    def _do_open(self) -> None:
        self._closing.clear()
        self._open_link()
        if self._watch_interval > 0:
            self._watcher = threading.Thread(
                target=self._watch, name=f"{self.name}-watch", daemon=True
            )
            self._watcher.start()

    def _do_close(self) -> None:
        self._closing.set()
        if self._watcher is not None:
            self._watcher.join(timeout=self._worst_exchange() * (len(self._boards) + 1) + 1)
            self._watcher = None
        with self._bus:
            self._close_link()

    def _check_health(self) -> Health:
        failures: dict[str, str] = {}
        timeouts = 0
        for board in self._boards:
            try:
                self.door_states(board)
            except DeviceTimeout as exc:
                timeouts += 1
                failures[str(board)] = str(exc)
            except PeripheralError as exc:
                failures[str(board)] = str(exc)
        if not failures:
            return Health(State.ONLINE)
        state = State.OFFLINE if timeouts == len(failures) else State.HARDWARE_ERROR
        code = "lock.board_silent" if state is State.OFFLINE else "lock.board_error"
        detail = "; ".join(f"board {b}: {why}" for b, why in failures.items())
        return Health(state, code, detail, {"failed_boards": sorted(failures)})

    def _exchange(self, what: str, attempt: Callable[[], T]) -> T:
        """Run one command with the bus held, retrying timeouts and garbled replies."""
        errors: list[PeripheralError] = []
        attempts = self._retries + 1
        for number in range(1, attempts + 1):
            self._require_open()
            try:
                with self._bus:
                    return attempt()
            except (DeviceTimeout, ProtocolError) as exc:
                errors.append(exc)
                log.warning("%s: %s (attempt %d of %d)", what, exc, number, attempts)
        garbled = [e for e in errors if isinstance(e, ProtocolError)]
        if garbled:
            raise ProtocolError(
                f"{what}: no valid reply in {attempts} attempts (last: {garbled[-1]})",
                code=garbled[-1].code,
            )
        raise DeviceTimeout(
            f"{what}: no reply within {self._timeout:g} s in {attempts} attempts",
            code="lock.no_reply",
        )

    def _sensed(self, reported: DoorState) -> DoorState:
        """A door's state as the board reported it (decoded for `locked-short` wiring), read
        through the configured `feedback` wiring."""
        if reported is DoorState.UNKNOWN:
            return reported
        return DoorState.of(self._feedback.reading(reported is DoorState.OPEN))

    def _family_name(self) -> str:
        return f"lockboard-{self.family}" if self.family else self.driver

    def _energise(self, board: int, lock: int, hook: EnergiseHook | None) -> DoorState:
        """Send the open command; send it again only while the door reads closed after a
        lost, late or garbled reply (the board may have fired all the same)."""
        what = f"open board {board} lock {lock}"
        attempts = self._retries + 1
        failure: DeviceTimeout | ProtocolError | None = None
        for number in range(1, attempts + 1):
            self._wait_coil(board)
            self._require_open()
            if hook is not None:
                hook(Energising(board, lock, number, None if failure is None else failure.code))
            try:
                with self._bus:
                    try:
                        return self._sensed(self._command_open(board, lock))
                    finally:
                        self._last_energised[board] = time.monotonic()
            except (DeviceTimeout, ProtocolError) as exc:
                failure = exc
                log.warning("%s: %s (attempt %d of %d)", what, exc, number, attempts)
            try:
                state = self.door_state(board, lock)
            except PeripheralError as exc:
                # Whether the lock fired is unknown: sending the open again could fire it twice.
                raise type(exc)(
                    f"{what}: no answer ({failure}), and the door could not be read: {exc}",
                    code=exc.code,
                ) from exc
            if state is not DoorState.CLOSED:
                log.info("%s: no answer, but the door reads %s", what, state.value)
                return state
        assert failure is not None
        if isinstance(failure, ProtocolError):
            raise ProtocolError(
                f"{what}: no valid reply in {attempts} attempts, door still closed "
                f"(last: {failure})",
                code=failure.code,
            )
        raise DeviceTimeout(
            f"{what}: no reply within {self._open_reply_timeout:g} s in {attempts} attempts, "
            "door still closed",
            code="lock.no_reply",
        )

    def _worst_exchange(self) -> float:
        return self._timeout * (self._retries + 1) + 0.1

    def _worst_open(self) -> float:
        """The longest `_energise` can take: every attempt, coil wait and look."""
        attempt = self._coil_time + self._open_reply_timeout + self._worst_exchange()
        return attempt * (self._retries + 1)

    def _wait_coil(self, board: int) -> None:
        last = self._last_energised.get(board)
        if last is None:
            return
        remaining = last + self._coil_time - time.monotonic()
        if remaining > 0 and self._closing.wait(remaining):
            raise DeviceUnavailable(f"{self.name} closed while opening a lock")

    def _check_address(self, board: int, lock: int) -> None:
        if board not in self._board_guards:
            raise PeripheralError(
                f"board {board} is not configured (boards: {list(self._boards)})",
                code="lock.unknown_board",
            )
        if not 1 <= lock <= self._locks:
            raise PeripheralError(
                f"lock {lock} out of range 1-{self._locks} on board {board}",
                code="lock.unknown_lock",
            )

    def _observe(self, board: int, lock: int, state: DoorState) -> None:
        """Remember a door's state and announce a change."""
        if state is DoorState.UNKNOWN:
            return
        with self._known_lock:
            before = self._known.get((board, lock), DoorState.UNKNOWN)
            self._known[(board, lock)] = state
        if state is before or (before is DoorState.UNKNOWN and state is DoorState.CLOSED):
            return
        log.info("board %d lock %d: door %s", board, lock, state.value)
        event = EventType.DOOR_OPENED if state is DoorState.OPEN else EventType.DOOR_CLOSED
        self.emit(event, board=board, lock=lock)

    def _watch(self) -> None:
        while not self._closing.wait(self._watch_interval):
            for board in self._boards:
                if self._closing.is_set():
                    return
                try:
                    self.door_states(board)
                except PeripheralError as exc:
                    log.debug("watching board %d: %s", board, exc)


def _bad_option(message: str) -> BadLockOption:
    return BadLockOption(message)
