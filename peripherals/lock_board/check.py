"""`kiosk devices test lock_board`: open one lock and report its door."""

from __future__ import annotations

from peripherals.errors import PeripheralError
from peripherals.lock_board.base import LockBoard

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
    """Open the lock named by `params["lock"]` and return its board, lock and door state."""
    board, lock = parse_lock(params.get("lock"))
    state = device.open_lock(board, lock)
    return {"board": board, "lock": lock, "state": state.value}
