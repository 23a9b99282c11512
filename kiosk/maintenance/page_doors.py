"""The doors page (locker mode): each compartment's door, opening one (with a reason), and
taking compartments out of service or back, over the lock boards directly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from kiosk.flow.devices import DeviceError
from kiosk.maintenance.doors import Doors
from kiosk.maintenance.visit import BACK, Action, Visit
from peripherals.lock_board.base import DoorState, LockBoard

OPEN, OUT, IN, REFRESH = "open", "out", "in", "refresh"
REASONS = ("stuck_item", "inspection", "cleaning", "courier_error", "repair")
"""Why a maintainer opens a door or takes a compartment out of service (picked, not typed:
free text could hold a resident's name)."""


def _doors(visit: Visit) -> Doors:
    device = visit.services.hub.by_kind("lock_board")
    assert isinstance(device, LockBoard)
    return Doors(visit.services.db, device, visit.clock)


def _numbers(locks: list[int]) -> str:
    return "、".join(str(lock) for lock in locks) or "—"


def board_rows(
    visit: Visit, states: dict[int, dict[int, DoorState]], out: dict[tuple[int, int], str]
) -> list[tuple[str, str]]:
    """One row per board: how many doors are closed, which are open, unknown, out of service."""
    rows = []
    for board, doors in states.items():
        opened = [lock for lock, state in doors.items() if state is DoorState.OPEN]
        unknown = [lock for lock, state in doors.items() if state is DoorState.UNKNOWN]
        closed = sum(1 for state in doors.values() if state is DoorState.CLOSED)
        off = [lock for (b, lock) in out if b == board]
        rows.append(
            (
                visit.tr("doors.board", board=board),
                visit.tr(
                    "doors.summary",
                    closed=closed,
                    open=_numbers(opened),
                    unknown=_numbers(unknown),
                    off=_numbers(off),
                ),
            )
        )
    return rows


async def _pick_board(visit: Visit, doors: Doors, step: str) -> int | None:
    boards = doors.device.boards
    if len(boards) == 1:
        return boards[0]
    actions = [Action(str(b), visit.tr("doors.board", board=b)) for b in boards[:8]]
    chosen = await visit.ask(lambda: visit.page(step, visit.tr("doors.which_board"), (), actions))
    return None if chosen == BACK else int(chosen)


async def _pick_lock(visit: Visit, doors: Doors, step: str, board: int) -> int | None:
    problem: str | None = None
    top = doors.device.locks_per_board
    while True:
        chosen = await visit.ask(
            lambda problem=problem: visit.number_input(  # type: ignore[misc]
                step,
                visit.tr("doors.board", board=board),
                visit.tr("doors.which_lock", top=top),
                digits=len(str(top)),
                error=problem,
            )
        )
        if chosen == BACK:
            return None
        if 1 <= int(chosen) <= top:
            return int(chosen)
        problem = "service.no_such_lock"


async def _pick_door(visit: Visit, doors: Doors, what: str) -> tuple[int, int, str] | None:
    """Board, door and reason for `what` (`open`, `out`), asked in turn; None if backed out."""
    board = await _pick_board(visit, doors, f"doors.{what}.board")
    if board is None:
        return None
    lock = await _pick_lock(visit, doors, f"doors.{what}.lock", board)
    if lock is None:
        return None
    title = visit.tr(f"doors.why_{what}", board=board, lock=lock)
    actions = [Action(r, visit.tr(f"reason.{r}")) for r in REASONS]
    chosen = await visit.ask(lambda: visit.page(f"doors.{what}.reason", title, (), actions))
    return None if chosen == BACK else (board, lock, str(chosen))


async def _open(visit: Visit, doors: Doors) -> str:
    picked = await _pick_door(visit, doors, OPEN)
    if picked is None:
        return ""
    board, lock, reason = picked
    where = {"board": board, "lock": lock, "reason": reason}
    await visit.core.show(visit.busy(visit.tr("doors.opening", board=board, lock=lock)))
    try:
        state = await visit.services.devices.lock_board().open_lock(board, lock)
    except DeviceError as exc:
        visit.audit.record("doors", "door_open", "failed", code=exc.key, **where)
        return visit.tr("doors.open_failed", board=board, lock=lock, why=visit.fault(exc.key))
    visit.audit.record("doors", "door_open", "ok", state=state.value, **where)
    return visit.tr("doors.opened", board=board, lock=lock)


async def _take_out(visit: Visit, doors: Doors) -> str:
    picked = await _pick_door(visit, doors, OUT)
    if picked is None:
        return ""
    board, lock, reason = picked
    changed = doors.take_out(board, lock, reason)
    outcome = "ok" if changed else "unchanged"
    visit.audit.record("doors", "out_of_service", outcome, board=board, lock=lock, reason=reason)
    return visit.tr("doors.taken_out", board=board, lock=lock)


async def _put_back(visit: Visit, doors: Doors) -> str:
    out = doors.out_of_service()[:8]
    if not out:
        return visit.tr("doors.none_out")
    actions = [Action(f"{o.board}:{o.lock}", visit.tr("doors.which", board=o.board, lock=o.lock))
               for o in out]  # fmt: skip
    chosen = await visit.ask(
        lambda: visit.page("doors.in", visit.tr("doors.put_back"), (), actions)
    )
    if chosen == BACK:
        return ""
    board, lock = (int(part) for part in str(chosen).split(":"))
    changed = doors.put_back(board, lock)
    visit.audit.record(
        "doors", "back_in_service", "ok" if changed else "unchanged", board=board, lock=lock
    )
    return visit.tr("doors.put_back_done", board=board, lock=lock)


async def run(visit: Visit) -> None:
    """The doors of every board; open one, take one out of service, put one back."""
    doors = _doors(visit)
    message = ""
    while True:
        try:
            states = await visit.working(visit.tr("doors.reading"), doors.states)
        except Exception as exc:  # a silent board: say so, and offer to look again
            code = getattr(exc, "code", "device.error")
            states = {}
            message = visit.tr("doors.unreadable", why=visit.fault(code))
        out = {(o.board, o.lock): o.reason for o in doors.out_of_service()}
        rows = board_rows(visit, states, out)
        actions = [
            Action(OPEN, visit.tr("doors.open")),
            Action(OUT, visit.tr("doors.take_out")),
            Action(IN, visit.tr("doors.put_back")),
            Action(REFRESH, visit.tr("action.refresh")),
        ]
        shown = message
        chosen = await visit.ask(
            lambda rows=rows, shown=shown, actions=actions: visit.page(  # type: ignore[misc]
                "doors", visit.tr("page.doors"), rows, actions, text=shown
            )
        )
        message = ""
        if chosen == BACK:
            return
        act = _ACTIONS.get(str(chosen))
        if act is not None:
            message = await act(visit, doors)


_ACTIONS: dict[str, Callable[[Visit, Doors], Awaitable[str]]] = {
    OPEN: _open,
    OUT: _take_out,
    IN: _put_back,
}
