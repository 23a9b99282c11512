"""The locker page (locker mode): the cabinets drawn with each compartment's state from the
locker's inventory and its doors as read now; open a door (with a reason), take a compartment
out of service or put it back, reconcile the doors with the inventory and list what disagrees,
resolve an open problem (with a reason), and hand a stored parcel to its resident (with a
reason; an administrator may waive its unpaid fee, with a reason). Every action is audited.
The inventory is read and written on the locker service's thread (`off_loop`), as the flows do."""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

from kiosk.flow.devices import DeviceError
from kiosk.flow.locker import LockerError, courier_name
from kiosk.i18n import catalog
from kiosk.locker.config import BANDS
from kiosk.locker.inventory import Inventory, Problem, shown_state
from kiosk.locker.layout import Compartment
from kiosk.locker.picture import STATE_COLOURS, draw_layout
from kiosk.locker.service import LockerService
from kiosk.locker.servicing import back_in_service, refused_in, resolve_problem, stored_in
from kiosk.maintenance.visit import BACK, Action, Visit
from peripherals.errors import PeripheralError
from peripherals.printer.render import find_font

OPEN, OUT, IN, RECONCILE, RESOLVE, RETRIEVE, REFRESH = (
    "open", "out", "in", "reconcile", "resolve", "retrieve", "refresh"
)  # fmt: skip
OPEN_REASONS = ("stuck_item", "inspection", "cleaning", "courier_error", "repair")
"""Why a maintainer opens a door (picked, not typed: free text could hold a resident's name)."""
OUT_REASONS = ("repair", "jammed", "damaged", "inspection", "cleaning")
"""Why a compartment goes out of service."""
RETRIEVE_REASONS = ("lost_code", "no_notice", "phone_changed", "needs_help", "fee_dispute")
"""Why a maintainer hands a parcel to its resident instead of the resident's code."""
WAIVE_REASONS = ("kiosk_fault", "notice_late", "hardship", "goodwill")
"""Why an administrator waives a parcel's unpaid overdue fee."""
RESOLVE_REASONS = ("fixed", "checked_ok", "parcel_found", "false_alarm")
"""Why a maintainer marks an open problem resolved."""
MAX_PROBLEMS = 10
"""Problems listed on the reconciliation page (the oldest first; the rest are counted)."""

log = logging.getLogger(__name__)

_pictures = itertools.count(1)


def _locker(visit: Visit) -> LockerService:
    locker = visit.services.locker
    assert locker is not None  # the page is offered only with a locker
    return locker


def _ids(ids: list[str], most: int = 8) -> str:
    """Compartment ids joined, the first `most` of them and how many in all if there are more."""
    if len(ids) > most:
        return f"{'、'.join(ids[:most])}… ({len(ids)})"
    return "、".join(ids) or "—"


def picture(visit: Visit, inventory: Inventory, shown: dict[str, str]) -> Path | None:
    """The cabinets drawn with each compartment's state in words (in English when no CJK
    font is installed); None if it cannot be written."""
    try:
        font: Path | None = find_font()
    except PeripheralError:
        font = None
    words: dict[str, str] | None = None
    if font is not None:
        words = {state: visit.tr(f"locker.state.{state}") for state in STATE_COLOURS}
        words.update({band: visit.tr(f"locker.band.{band}") for band in BANDS})
        words["wheelchair"] = visit.tr("locker.wheelchair")
        words["cabinet"] = visit.tr("locker.cabinet")
    folder = visit.services.data_dir / "service"
    # a new name each time: the screen caches pictures by file name
    out = folder / f"locker-{next(_pictures)}.png"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("locker-*.png"):
            old.unlink(missing_ok=True)
        return draw_layout(inventory.layout, shown, out, words=words, font_file=font)
    except OSError as exc:  # a full disk or a font that will not load: the rows still say it
        log.warning("no picture of the locker: %s", exc)
        return None


async def _read(visit: Visit, locker: LockerService) -> tuple[dict[str, str], str]:
    """Each compartment's state as shown (its door as read now) and a note on boards unread."""
    inventory = locker.inventory
    await visit.core.show(visit.busy(visit.tr("locker.reading")))
    note = ""
    try:
        scan = await locker.scan()
        doors = scan.doors
        if scan.unreadable_boards:
            separator = visit.tr("locker.board_separator")
            boards = separator.join(str(b) for b in scan.unreadable_boards)
            count = len(scan.unreadable_boards)
            note = visit.tr("locker.boards_unread", boards=boards, count=count)
    except DeviceError as exc:
        doors = {}
        note = visit.tr("locker.unreadable", why=visit.fault(exc.key))
    return await locker.off_loop(shown_states, inventory, doors), note


def shown_states(inventory: Inventory, doors: dict[str, str]) -> dict[str, str]:
    """Each compartment's state as shown, its door as read now where it was read."""
    refused = refused_in(inventory)
    recorded = inventory.compartments()
    shown = {}
    for compartment in inventory.layout:
        state, known = recorded[compartment.id]
        if state == "occupied" and compartment.id in refused:
            state = "refused"  # its recipient refused it: it waits for its courier
        shown[compartment.id] = shown_state(state, doors.get(compartment.id, known))
    return shown


def summary_rows(visit: Visit, problems: int, shown: dict[str, str]) -> list[tuple[str, str]]:
    """How many compartments are in each state, which hold a refused parcel, are out of service
    or have a door open or unread, and how many problems are open."""
    counts = Counter(shown.values())
    by_state = {s: sorted(c for c, v in shown.items() if v == s) for s in counts}
    rows = [
        (visit.tr(f"locker.state.{state}"), str(counts.get(state, 0)))
        for state in ("free", "occupied", "reserved")
    ]
    rows += [
        (visit.tr(f"locker.state.{state}"), _ids(by_state.get(state, [])))
        for state in ("refused", "out_of_service", "door_open", "door_unknown")
    ]
    rows.append((visit.tr("locker.problems"), str(problems)))
    return [(label[:1].upper() + label[1:], value) for label, value in rows]  # "free": "Free"


# -- picking a compartment ---------------------------------------------------------------------


async def _pick_cabinet(visit: Visit, inventory: Inventory, what: str) -> str | None:
    cabinets = inventory.layout.cabinets
    if len(cabinets) == 1:
        return cabinets[0]
    actions = [Action(c, visit.tr("locker.cabinet", cabinet=c)) for c in cabinets[:8]]
    chosen = await visit.ask(
        lambda: visit.page(f"locker.{what}.cabinet", visit.tr("locker.which_cabinet"), (), actions)
    )
    return None if chosen == BACK else str(chosen)


async def pick_compartment(visit: Visit, inventory: Inventory, what: str) -> Compartment | None:
    """A compartment picked by its cabinet and the number in its id (`A-07`: A, then 7)."""
    cabinet = await _pick_cabinet(visit, inventory, what)
    if cabinet is None:
        return None
    numbers = {int(c.id.split("-", 1)[1]): c for c in inventory.layout if c.cabinet == cabinet}
    top = max(numbers)
    problem: str | None = None
    while True:
        chosen = await visit.ask(
            lambda problem=problem: visit.number_input(  # type: ignore[misc]
                f"locker.{what}.number",
                visit.tr("locker.cabinet", cabinet=cabinet),
                visit.tr("locker.which_number", top=top),
                digits=len(str(top)),
                error=problem,
            )
        )
        if chosen == BACK:
            return None
        found = numbers.get(int(chosen))
        if found is not None:
            return found
        problem = "service.no_such_compartment"


async def _pick_with_reason(
    visit: Visit, inventory: Inventory, what: str, reasons: tuple[str, ...]
) -> tuple[Compartment, str] | None:
    """A compartment, then why (`what`: `open`, `out`); None if the maintainer went back."""
    compartment = await pick_compartment(visit, inventory, what)
    if compartment is None:
        return None
    title = visit.tr(f"locker.why_{what}", compartment=compartment.id)
    actions = [Action(r, visit.tr(f"locker.reason.{r}")) for r in reasons]
    chosen = await visit.ask(lambda: visit.page(f"locker.{what}.reason", title, (), actions))
    return None if chosen == BACK else (compartment, str(chosen))


# -- actions ---------------------------------------------------------------------------------


async def _open(visit: Visit, locker: LockerService) -> str:
    inventory = locker.inventory
    picked = await _pick_with_reason(visit, inventory, OPEN, OPEN_REASONS)
    if picked is None:
        return ""
    compartment, reason = picked
    cid = compartment.id
    await visit.core.show(visit.busy(visit.tr("locker.opening", compartment=cid)))
    try:
        door = await visit.services.devices.lock_board().open_lock(
            compartment.address, compartment.lock
        )
    except DeviceError as exc:
        visit.audit.record(
            "locker", "door_open", "failed", compartment=cid, reason=reason, code=exc.key
        )
        return visit.tr("locker.open_failed", compartment=cid, why=visit.fault(exc.key))
    await locker.off_loop(inventory.set_door, cid, door.value)
    visit.audit.record(
        "locker", "door_open", "ok", compartment=cid, reason=reason, state=door.value
    )
    return visit.tr("locker.opened", compartment=cid)


async def _take_out(visit: Visit, locker: LockerService) -> str:
    inventory = locker.inventory
    picked = await _pick_with_reason(visit, inventory, OUT, OUT_REASONS)
    if picked is None:
        return ""
    compartment, reason = picked
    cid = compartment.id
    if (await locker.off_loop(inventory.compartment_state, cid))[0] == "out_of_service":
        visit.audit.record("locker", "out_of_service", "unchanged", compartment=cid, reason=reason)
        return visit.tr("locker.already_out", compartment=cid)
    await locker.off_loop(inventory.set_out_of_service, cid, reason)
    visit.audit.record("locker", "out_of_service", "ok", compartment=cid, reason=reason)
    return visit.tr("locker.taken_out", compartment=cid)


async def _put_back(visit: Visit, locker: LockerService) -> str:
    inventory = locker.inventory
    states = await locker.off_loop(inventory.states)
    out = sorted(c for c, s in states.items() if s == "out_of_service")
    if not out:
        return visit.tr("locker.none_out")
    actions = [Action(c, c) for c in out[:8]]
    chosen = await visit.ask(
        lambda: visit.page("locker.in", visit.tr("locker.put_back"), (), actions)
    )
    if chosen == BACK:
        return ""
    cid = str(chosen)
    changed = await locker.off_loop(back_in_service, inventory, cid)
    visit.audit.record(
        "locker", "back_in_service", "ok" if changed else "unchanged", compartment=cid
    )
    return visit.tr("locker.put_back_done", compartment=cid)


def problem_rows(visit: Visit, problems: list[Problem]) -> list[tuple[str, str]]:
    """Each open problem: its compartment and kind in words, with when it was found."""
    rows = [
        (p.compartment or "—", f"{_kind(visit, p.kind)} · {visit.when(p.found_at)}")
        for p in problems[:MAX_PROBLEMS]
    ]
    if len(problems) > MAX_PROBLEMS:
        rows.append(("…", visit.tr("locker.more_problems", count=len(problems) - MAX_PROBLEMS)))
    return rows


def _kind(visit: Visit, kind: str) -> str:
    """A problem's kind in words: a device fault code (`lock.jammed`) or the locker's own."""
    if "." in kind:
        return visit.fault(kind)
    return visit.tr_or(f"locker.problem.{kind}", kind)


async def _reconcile(visit: Visit, locker: LockerService) -> str:
    await visit.core.show(visit.busy(visit.tr("locker.reconciling")))
    done = await locker.reconcile()
    visit.audit.record(
        "locker",
        "reconcile",
        "ok",
        deposits=len(done.completed_deposits),
        releases=len(done.completed_releases),
        flagged=len(done.flagged),
        problems=done.problems,
    )
    rows = [
        (visit.tr("locker.found"), str(done.problems)),
        (visit.tr("locker.completed"), str(len(done.completed_deposits + done.completed_releases))),
        (visit.tr("locker.flagged"), _ids(done.flagged)),
    ]
    rows += problem_rows(visit, await locker.off_loop(locker.inventory.problems))
    text = visit.tr("locker.reconciled" if rows[3:] else "locker.all_agree")
    await visit.ask(
        lambda: visit.page("locker.reconciled", visit.tr("locker.reconcile"), rows, (), text=text)
    )
    return ""


async def _retrieve(visit: Visit, locker: LockerService) -> str:
    inventory = locker.inventory
    compartment = await pick_compartment(visit, inventory, RETRIEVE)
    if compartment is None:
        return ""
    cid = compartment.id
    parcel = await locker.off_loop(stored_in, inventory, cid)
    if parcel is None:
        return visit.tr("locker.no_parcel", compartment=cid)
    fee = inventory.fee(parcel, locker.config.fee_per_day, locker.config.fee_cap)
    rows = [
        (visit.tr("locker.compartment"), cid),
        (visit.tr("locker.company"), courier_name(catalog(), parcel.company, visit.lang)),
        (visit.tr("locker.waybill"), f"…{parcel.waybill[-4:]}"),
        (visit.tr("locker.phone"), parcel.phone_masked),
        (visit.tr("locker.deposited"), visit.when(parcel.deposited_at or 0)),
        (visit.tr("locker.fee"), f"{fee / 100:.2f}"),
    ]
    actions = [Action(r, visit.tr(f"locker.reason.{r}")) for r in RETRIEVE_REASONS]
    reason = await visit.ask(
        lambda: visit.page(
            "locker.retrieve.parcel",
            visit.tr("locker.retrieve"),
            rows,
            actions,
            text=visit.tr("locker.why_retrieve"),
        )
    )
    if reason == BACK:
        return ""
    where = {"compartment": cid, "parcel": parcel.id, "reason": str(reason)}
    waive = ""
    if fee > 0:
        maintainer = visit.audit.maintainer
        if maintainer is None or not maintainer.may_waive_fees:
            visit.audit.record(
                "locker", "retrieve_for_resident", "refused", code="locker.fee_unpaid", **where
            )
            return visit.tr("locker.fee_unpaid_ask_admin", fee=f"{fee / 100:.2f}")
        waive = await _why_waive(visit, cid, fee)
        if not waive:
            return ""
    await visit.core.show(visit.busy(visit.tr("locker.opening", compartment=cid)))
    try:
        await locker.release(parcel.id, "pickup", waive=waive)
    except LockerError as exc:
        # a door that would not open: the device's fault (lock.jammed) says more than the locker's
        cause = exc.__cause__
        code = cause.key if isinstance(cause, DeviceError) else exc.key
        visit.audit.record("locker", "retrieve_for_resident", "failed", code=code, **where)
        if exc.key == "locker.fee_unpaid":
            return visit.tr("locker.fee_unpaid", fee=f"{fee / 100:.2f}")
        return visit.tr("locker.retrieve_failed", compartment=cid, why=visit.fault(code))
    if waive:
        visit.audit.record("locker", "waive_fee", "ok", amount=fee, waive_reason=waive, **where)
    visit.audit.record("locker", "retrieve_for_resident", "ok", **where)
    return visit.tr("locker.retrieved", compartment=cid)


async def _why_waive(visit: Visit, cid: str, fee: int) -> str:
    """Why an administrator waives a parcel's unpaid fee ("": not waived, went back)."""
    title = visit.tr("locker.why_waive", compartment=cid, fee=f"{fee / 100:.2f}")
    actions = [Action(r, visit.tr(f"locker.waive_reason.{r}")) for r in WAIVE_REASONS]
    chosen = await visit.ask(
        lambda: visit.page(
            "locker.retrieve.waive", title, (), actions, text=visit.tr("locker.waive_text")
        )
    )
    return "" if chosen == BACK else str(chosen)


async def _resolve(visit: Visit, locker: LockerService) -> str:
    """Pick an open problem (when more than one is open) and why it is resolved; resolve it
    (audited)."""
    inventory = locker.inventory
    problems = await locker.off_loop(inventory.problems)
    if not problems:
        return visit.tr("locker.no_problems")
    listed = {str(p.id): p for p in problems[:8]}
    chosen: object = next(iter(listed))  # one problem open: its reason is asked at once
    if len(listed) > 1:
        actions = [
            Action(key, f"{p.compartment or '—'} · {_kind(visit, p.kind)}")
            for key, p in listed.items()
        ]
        chosen = await visit.ask(
            lambda: visit.page("locker.resolve", visit.tr("locker.which_problem"), (), actions)
        )
        if chosen == BACK:
            return ""
    problem = listed[str(chosen)]
    where = problem.compartment or "—"
    title = visit.tr("locker.why_resolve", compartment=where, kind=_kind(visit, problem.kind))
    reasons = [Action(r, visit.tr(f"locker.resolve_reason.{r}")) for r in RESOLVE_REASONS]
    reason = await visit.ask(lambda: visit.page("locker.resolve.reason", title, (), reasons))
    if reason == BACK:
        return ""
    done = await locker.off_loop(resolve_problem, inventory, problem.id, str(reason))
    visit.audit.record(
        "locker",
        "resolve_problem",
        "ok" if done else "unchanged",
        problem=problem.id,
        compartment=problem.compartment,
        kind=problem.kind,
        reason=str(reason),
    )
    return visit.tr("locker.resolved", compartment=where)


_ACTIONS: dict[str, Callable[[Visit, LockerService], Awaitable[str]]] = {
    OPEN: _open,
    OUT: _take_out,
    IN: _put_back,
    RECONCILE: _reconcile,
    RESOLVE: _resolve,
    RETRIEVE: _retrieve,
}


async def run(visit: Visit) -> None:
    """The cabinets and their states; the actions on a compartment, then the page again."""
    locker = _locker(visit)
    actions = [Action(a, visit.tr(f"locker.{a}")) for a in (*_ACTIONS, REFRESH)]
    message = ""
    while True:
        shown, note = await _read(visit, locker)
        drawn = picture(visit, locker.inventory, shown)
        problems = await locker.off_loop(locker.inventory.problems)
        rows = summary_rows(visit, len(problems), shown)
        text = "\n".join(part for part in (message, note) if part)
        chosen = await visit.ask(
            lambda rows=rows, text=text, drawn=drawn: visit.page(  # type: ignore[misc]
                "locker",
                visit.tr("page.locker"),
                rows,
                actions,
                text=text,
                image=str(drawn or ""),
            )
        )
        message = ""
        if chosen == BACK:
            return
        act = _ACTIONS.get(str(chosen))
        if act is not None:
            message = await act(visit, locker)
