"""The parcel locker flows use (`kiosk.flow.locker.Locker`): the inventory in SQLite and the
doors through the lock boards, each physical action written before and confirmed after.

The flows' event loop is the touch screen's: every read and write of the inventory and of the
wrong-code attempts runs on the service's own thread (`off_loop`), each awaited in turn, so
the screen never waits for the disk (an fsync, or the database lock a writer holds meanwhile).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from kiosk.flow.devices import DeviceError, DoorState, LockBoardDoor
from kiosk.flow.locker import Found, LockerError, NewParcel, Opening, Place, Rules
from kiosk.flow.services import BackendError, Backends, Clock, Journal, Outbox
from kiosk.locker.attempts import Attempts, Limit, LockedOut
from kiosk.locker.config import LockerConfig
from kiosk.locker.inventory import Action, Inventory, InventoryError, Parcel
from kiosk.locker.layout import Compartment
from kiosk.locker.reconcile import Reconciled, compare_doors, recover
from kiosk.locker.servicing import waive_fee
from kiosk.storage.batch_thread import BatchThread

log = logging.getLogger(__name__)

MAX_REASSIGNMENTS = 3
"""Compartments tried for one parcel before the deposit is given up."""

FEE_GRACE = 900.0
"""Seconds a quoted fee holds: one paid is not found short because a new day began while the
resident was paying."""

P = ParamSpec("P")
T = TypeVar("T")
Call = Callable[[], Any]


@dataclass(frozen=True)
class Scan:
    """Every door as read now: compartment id → closed, open or unknown."""

    doors: dict[str, str]
    unreadable_boards: tuple[int, ...] = ()


class LockerService:
    """Implements `kiosk.flow.locker.Locker` over an `Inventory` and the lock boards."""

    def __init__(
        self,
        config: LockerConfig,
        inventory: Inventory,
        *,
        doors: Callable[[], LockBoardDoor],
        backends: Backends,
        outbox: Outbox,
        journal: Journal,
        clock: Clock,
        terminal: str,
        poll_interval: float = 0.05,
    ) -> None:
        self.config = config
        self.inventory = inventory
        self.layout = inventory.layout
        self._doors = doors
        self.backends = backends
        self.outbox = outbox
        self.journal = journal
        self.clock = clock
        self.terminal = terminal
        self.poll_interval = poll_interval
        self.attempts = Attempts(inventory.db, clock, journal)
        self._disk: BatchThread[Call, Any] = BatchThread("locker-disk", _calls)

    async def off_loop(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` on the service's thread, its result or its error here; once
        asked it is done, even if the waiting coroutine is cancelled meanwhile."""
        result: T = await self._disk.ask(functools.partial(fn, *args, **kwargs))
        return result

    def close(self) -> None:
        """Do what was asked of the service's thread and end it (a later call starts one)."""
        self._disk.close()

    @property
    def rules(self) -> Rules:
        """Refused items and door timings."""
        return Rules(
            tuple(self.config.refused_items), self.config.door_reminder, self.config.door_alarm
        )

    # -- start and health --------------------------------------------------------------------

    async def scan(self) -> Scan:
        """Read every door (one query per board where the family has one)."""
        door = self._doors()
        doors: dict[str, str] = {}
        silent: list[int] = []
        for address in sorted({c.address for c in self.layout}):
            try:
                states = await door.door_states(address)
            except DeviceError as exc:
                log.warning("locker scan: board %d unreadable: %s", address, exc.key)
                silent.append(address)
                states = {}
            for compartment in self.layout:
                if compartment.address == address:
                    state = states.get(compartment.lock, DoorState.UNKNOWN)
                    doors[compartment.id] = state.value
        return Scan(doors, tuple(silent))

    async def reconcile(self) -> Reconciled:
        """Settle what a dead process left, compare every door with the inventory, and send
        the notifications of deposits completed now."""
        scan = await self.scan()
        done = await self.off_loop(recover, self.inventory, scan.doors)
        done.problems += await self.off_loop(compare_doors, self.inventory, scan.doors)
        for parcel in done.completed_deposits:
            await self._notify(await self.off_loop(self.inventory.parcel, parcel))
        for parcel in done.completed_releases:
            await self._record(await self.off_loop(self.inventory.parcel, parcel), "taken")
        self.journal.record(
            "locker",
            "locker",
            "",
            "reconciled",
            {
                "deposits": len(done.completed_deposits),
                "releases": len(done.completed_releases),
                "flagged": len(done.flagged),
                "problems": done.problems,
            },
        )
        return done

    # -- courier -------------------------------------------------------------------------------

    async def sign_in(self, code: str) -> dict[str, str]:
        """Check a courier's code with the courier back office; wrong codes lock out."""
        return await self._sign_in("code", code)

    async def sign_in_card(self, number: str) -> dict[str, str]:
        """A courier card's number: on the locker's allow list, or else checked with the
        courier back office; refused cards count towards the same lock-out as codes."""
        await self._check("courier")
        known = self.config.courier_cards.get(number)
        if known is not None:
            await self.off_loop(self.attempts.record, "courier", True, self._courier_limit())
            return {"courier": known.courier, "company": known.company}
        return await self._sign_in("card", number)

    async def _sign_in(self, kind: str, secret: str) -> dict[str, str]:
        await self._check("courier")
        limit = self._courier_limit()
        try:
            reply = await self.backends.request(
                self.config.courier_backend,
                "POST",
                "/couriers/sign-in",
                {kind: secret, "terminal": self.terminal},
            )
        except BackendError as exc:
            if exc.key != "backend.rejected":
                raise LockerError("locker.courier_offline", exc.detail) from exc
            tag = self.inventory.keyed.digest("c", secret)[:8]
            await self.off_loop(self.attempts.record, "courier", False, limit, tag)
            await self._check("courier")  # that miss may have locked the sign-in out
            refused = "locker.card_refused" if kind == "card" else "locker.courier_refused"
            raise LockerError(refused) from exc
        await self.off_loop(self.attempts.record, "courier", True, limit)
        data = reply if isinstance(reply, dict) else {}
        company = str(data.get("company", ""))
        await self._refused_in_app(company, data.get("refused"))
        return {"courier": str(data.get("courier", "")), "company": company}

    async def _refused_in_app(self, company: str, waybills: object) -> None:
        """The courier back office's sign-in reply lists the company's waybills whose
        recipients refused them in its app: such a parcel stored here is refused as at the
        locker (its code dies, no fee, its courier takes it back)."""
        if not company or not isinstance(waybills, list):
            return
        wanted = {w for w in waybills if isinstance(w, str)}
        for parcel in await self.off_loop(self.inventory.parcels, ("stored",)):
            if parcel.company != company or parcel.waybill not in wanted:
                continue
            try:
                refused = await self.off_loop(
                    self.inventory.refuse, parcel.id, "by the recipient in the courier's app"
                )
            except InventoryError as exc:  # taken meanwhile: nothing to refuse
                log.info("parcel %s not refused: %s", parcel.id, exc.key)
                continue
            await self._record(refused, "refused")

    def _courier_limit(self) -> Limit:
        return Limit(self.config.courier_failures, self.config.lockout_seconds)

    async def consent(self, phone: str, waybill: str = "") -> bool:
        """Whether the recipient agreed to locker delivery (asked of the courier back office,
        which keeps the phone to send the pickup notice)."""
        try:
            reply = await self.backends.request(
                self.config.courier_backend,
                "POST",
                "/couriers/consent",
                {"phone": phone, "waybill": waybill, "terminal": self.terminal},
            )
        except BackendError as exc:
            raise LockerError("locker.courier_offline", exc.detail) from exc
        return bool(isinstance(reply, dict) and reply.get("consent"))

    async def suggest(
        self, size: str, *, low: bool = False, wheelchair: bool = False
    ) -> list[Place]:
        """Free compartments at least `size`, smallest first."""
        fitting = await self.off_loop(
            self.inventory.free_fitting, size, low=low, wheelchair=wheelchair
        )
        return [place(c) for c in fitting]

    async def deposit(self, compartment: str, parcel: NewParcel) -> Opening:
        """Write the intent, open, see it open; a jammed door moves the parcel on."""
        chosen = self.layout.get(compartment)
        if chosen is None:
            raise LockerError("locker.unknown_compartment", compartment)
        hours = self.config.storage_hours
        if parcel.elder and self.config.elder_storage_hours is not None:
            hours = self.config.elder_storage_hours
        try:
            action = await self.off_loop(
                self.inventory.begin_deposit,
                compartment,
                waybill=parcel.waybill,
                company=parcel.company,
                phone=parcel.phone,
                storage_hours=hours,
                courier=parcel.courier,
            )
        except InventoryError as exc:
            raise LockerError(exc.key, exc.detail) from exc
        for _ in range(MAX_REASSIGNMENTS + 1):
            try:
                await self._open(action)
            except DeviceError as exc:
                if exc.key != "lock.jammed":
                    await self.off_loop(self.inventory.cancel_deposit, action, exc.key)
                    await self.off_loop(
                        self.inventory.problem, action.compartment, "door_failed", exc.key
                    )
                    raise LockerError("locker.door_failed", exc.key) from exc
                await self.off_loop(self.inventory.set_out_of_service, action.compartment, "jammed")
                others = await self.off_loop(self.inventory.free_fitting, chosen.size)
                if not others:
                    await self.off_loop(
                        self.inventory.cancel_deposit, action, "jammed, no other compartment"
                    )
                    raise LockerError("locker.no_compartment") from exc
                action = await self.off_loop(self.inventory.move, action, others[0].id)
                continue
            moved = compartment if action.compartment != compartment else None
            where = self._place(action.compartment)
            return Opening(action.id, action.parcel, where, moved, storage_hours=hours)
        await self.off_loop(self.inventory.cancel_deposit, action, "jammed, too many compartments")
        raise LockerError("locker.no_compartment")

    async def closed(self, opening: Opening) -> None:
        """Return once the opened door reads closed."""
        compartment = self._compartment(opening.place.compartment)
        door = self._doors()
        while True:
            state = await door.door_state(compartment.address, compartment.lock)
            if state is DoorState.CLOSED:
                await self.off_loop(self.inventory.set_door, compartment.id, "closed")
                return
            await asyncio.sleep(self.poll_interval)

    async def record_deposit(self, opening: Opening) -> None:
        """The door closed on the parcel: record it, then notify the recipient."""
        action = self._action(opening, "deposit")
        parcel = await self.off_loop(self.inventory.finish_deposit, action)
        await self._notify(parcel)

    # -- resident ------------------------------------------------------------------------------

    async def find(self, code: str) -> list[Found]:
        """Every parcel of the recipient this code belongs to; wrong codes are limited."""
        await self._check("pickup")
        limit = Limit(self.config.wrong_codes_per_minute, self.config.lockout_seconds)
        found = await self.off_loop(self.inventory.parcels_for_code, code)
        tag = self.inventory.keyed.digest("attempt", code)[:8]
        await self.off_loop(self.attempts.record, "pickup", bool(found), limit, tag)
        if not found:
            raise LockerError("locker.wrong_code")
        return [self._found(p) for p in found]

    async def refuse(self, parcel: str) -> Found:
        """The recipient refused a parcel found by their code (拒收): recorded in one committed
        change (no door opens, its code dies, no fee), then the courier back office is told
        through the outbox."""
        try:
            refused = await self.off_loop(
                self.inventory.refuse, parcel, "by the recipient at the locker"
            )
        except InventoryError as exc:
            raise LockerError(exc.key, exc.detail) from exc
        await self._record(refused, "refused")
        return self._found(refused)

    async def to_retrieve(self, company: str) -> list[Found]:
        """`company`'s parcels for its courier to take back: overdue and refused."""
        days = self.config.retrieve_after_days
        found = await self.off_loop(self.inventory.to_retrieve, days, company)
        return [self._found(p) for p in found]

    async def pay(self, parcels: list[str], amount: int) -> None:
        """Record fees paid before the doors open: each parcel's fee, in order, from `amount`."""
        await self.off_loop(self._pay, parcels, amount)

    def _pay(self, parcels: list[str], amount: int) -> None:
        """`pay` on the service's thread: each parcel read, then its share written."""
        left = amount
        for parcel in parcels:
            due = self._fee(self.inventory.parcel(parcel))
            share = min(due, left)
            if share:
                self.inventory.pay(parcel, share)
                left -= share

    async def release(self, parcel: str, kind: str, *, waive: str = "") -> Opening:
        """Open a stored parcel's door and record it taken (its code dies at the intent).
        `waive`: why a maintainer waives an unpaid fee (recorded once the parcel is out)."""
        stored = await self.off_loop(self.inventory.parcel, parcel)
        quoted = self.clock.now() - FEE_GRACE
        waived = self._fee(stored) if kind == "pickup" and waive else 0
        if kind == "pickup" and not waive and self._fee(stored, at=quoted) > 0:
            raise LockerError("locker.fee_unpaid", parcel)
        try:
            action = await self.off_loop(self.inventory.begin_release, parcel, kind)
        except InventoryError as exc:
            raise LockerError(exc.key, exc.detail) from exc
        try:
            await self._open(action)
        except DeviceError as exc:
            if await self.off_loop(self.inventory.release_failed, action, exc.key) == "stored":
                again = await self.off_loop(self.inventory.parcel, parcel)
                await self._notify(again, reissued=True)
            raise LockerError("locker.jammed", action.compartment) from exc
        taken = await self.off_loop(self.inventory.finish_release, action, "open")
        if waived:
            await self.off_loop(waive_fee, self.inventory, parcel, waived, waive)
        await self._record(taken, "picked_up" if kind == "pickup" else "retrieved", waived)
        refused = stored.status == "refused"
        return Opening(action.id, parcel, self._place(action.compartment), refused=refused)

    async def alarm(self, opening: Opening, reason: str) -> None:
        """A door left open: listed and journaled as an alarm."""
        await self.off_loop(self.inventory.problem, opening.place.compartment, "door_open", reason)
        self.journal.record(
            "locker", "locker", opening.place.compartment, "alarm", {"reason": reason}
        )

    # -- machinery -----------------------------------------------------------------------------

    async def _open(self, action: Action) -> None:
        compartment = self._compartment(action.compartment)
        # The intent is committed: it records this energising before the coil fires.
        await self._doors().open_lock(compartment.address, compartment.lock, recorded=True)
        await self.off_loop(self.inventory.opened, action)

    async def _check(self, scope: str) -> None:
        try:
            await self.off_loop(self.attempts.check, scope)
        except LockedOut as exc:
            key = "locker.courier_locked_out" if scope == "courier" else "locker.locked_out"
            raise LockerError(key, f"{exc.seconds:.0f}") from exc

    async def _notify(self, parcel: Parcel, *, reissued: bool = False) -> None:
        """The recipient's pickup notice, through the outbox to the courier back office (which
        has the phone): locker, place, code, storage period, masked phone."""
        code = await self.off_loop(self.inventory.pickup_code, parcel.id)
        where = self._place(parcel.compartment or "")
        payload: dict[str, Any] = {
            "terminal": self.terminal,
            "locker": self.config.name,
            "address": self.config.address,
            "parcel": parcel.id,
            "waybill": parcel.waybill,
            "company": parcel.company,
            "compartment": where.compartment,
            "cabinet": where.cabinet,
            "column": where.column,
            "row": where.row,
            "code": code,
            "qr": f"PICKUP:{self.terminal}:{code}",
            "storage_hours": parcel.storage_hours,
            "phone": parcel.phone_masked,
            "reissued": reissued,
        }
        key = f"notify:{self.terminal}:{parcel.id}:{code}"
        try:
            await self.outbox.submit(
                self.config.courier_backend, "/locker/notifications", payload, idempotency_key=key
            )
        except BackendError as exc:
            log.warning("pickup notice for %s not queued: %s", parcel.id, exc.key)

    async def _record(self, parcel: Parcel, event: str, waived: int = 0) -> None:
        """A parcel's record for the courier back office, through the outbox."""
        payload: dict[str, Any] = {
            "terminal": self.terminal,
            "parcel": parcel.id,
            "waybill": parcel.waybill,
            "event": event,
            "at": self.clock.now(),
            "fee_paid": parcel.fee_paid,
        }
        if waived:
            payload["fee_waived"] = waived
        key = f"record:{self.terminal}:{parcel.id}:{event}"
        try:
            await self.outbox.submit(
                self.config.courier_backend, "/locker/records", payload, idempotency_key=key
            )
        except BackendError as exc:
            log.warning("record of %s not queued: %s", parcel.id, exc.key)

    def _fee(self, parcel: Parcel, at: float | None = None) -> int:
        return self.inventory.fee(parcel, self.config.fee_per_day, self.config.fee_cap, at)

    def _found(self, parcel: Parcel) -> Found:
        return Found(
            parcel=parcel.id,
            place=self._place(parcel.compartment or ""),
            company=parcel.company,
            waybill_tail=parcel.waybill[-4:],
            fee=0 if parcel.status == "refused" else self._fee(parcel),
            storage_hours=parcel.storage_hours,
            refused=parcel.status == "refused",
        )

    def _compartment(self, compartment: str) -> Compartment:
        found = self.layout.get(compartment)
        if found is None:
            raise LockerError("locker.unknown_compartment", compartment)
        return found

    def _place(self, compartment: str) -> Place:
        return place(self._compartment(compartment))

    def _action(self, opening: Opening, kind: str) -> Action:
        return Action(opening.action, kind, opening.parcel, opening.place.compartment, "opened")


def _calls(calls: list[Call]) -> Sequence[Any]:
    """On the service's thread: each call in the order asked, its result or its error."""
    answers: list[Any] = []
    for call in calls:
        try:
            answers.append(call())
        except Exception as exc:  # raised again where it was asked
            answers.append(exc)
    return answers


def place(compartment: Compartment) -> Place:
    """Where a compartment is, as flows see it."""
    return Place(
        compartment=compartment.id,
        cabinet=compartment.cabinet,
        column=compartment.column,
        row=compartment.row,
        size=compartment.size,
        band=compartment.band,
        wheelchair=compartment.wheelchair,
    )
