"""`kiosk devices test lock_board`: open one lock, report its door and which wiring fits."""

from __future__ import annotations

from peripherals.errors import MediaError, PeripheralError
from peripherals.lock_board.base import DoorState, LockBoard

PERSONAL_FIELDS: frozenset[str] = frozenset()
"""Result keys the CLI must mask (none: board and lock numbers are not personal)."""


class BadCheckParam(PeripheralError, ValueError):
    """A check parameter is missing or malformed."""

    code = "check.bad_param"


def parse_lock(value: str | None) -> tuple[int, int]:
    """Split `BOARD:LOCK` (e.g. `1:3`) into two numbers."""
    if not value:
        raise BadCheckParam("the lock check needs --lock BOARD:LOCK, e.g. --lock 1:3")
    board, sep, lock = value.partition(":")
    if not sep or not board.strip().isdigit() or not lock.strip().isdigit():
        raise BadCheckParam(f"lock must be BOARD:LOCK with two numbers, e.g. 1:3; got {value!r}")
    return int(board), int(lock)


def run_check(device: LockBoard, params: dict[str, str]) -> dict[str, object]:
    """Open the lock named by `params["lock"]` and return its board, lock, door state and
    whether the `feedback` setting fits (a shut door that reads open before the open and closed
    after it is wired the other way)."""
    board, lock = parse_lock(params.get("lock"))
    before = device.door_state(board, lock)
    setting = device.feedback
    try:
        state = device.open_lock(board, lock)
    except MediaError as exc:
        if exc.code != "lock.jammed" or before is not DoorState.OPEN:
            raise
        raise MediaError(
            f"{exc}; the door read open before it was opened and closed after: if it now "
            f'stands open, its feedback is wired the other way: set feedback = "{setting.other}"',
            code="lock.feedback_inverted",
        ) from exc
    if before is DoorState.CLOSED:
        fits = f"{setting} fits (the door read closed, then open)"
    else:
        fits = f"{setting} unconfirmed (the door read {before.value} before it was opened)"
    return {"board": board, "lock": lock, "state": state.value, "feedback": fits}
