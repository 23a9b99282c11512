"""The locker's inventory: compartments, parcels, their history, and every physical action
written before it happens and confirmed after (intent → opened → recorded).

No phone number or pickup code is stored: a phone is kept as a keyed hash and its masked form,
a code as a keyed hash (it is derived again from the parcel's id when the notification is sent).
"""

from __future__ import annotations

import logging
import math
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.flow.services import Clock, Journal
from kiosk.locker import schema
from kiosk.locker.config import SIZES
from kiosk.locker.layout import Compartment, Layout
from kiosk.locker.secret import Keyed
from kiosk.privacy.masking import mask_phone
from kiosk.storage.database import Database

log = logging.getLogger(__name__)

ACTIVE = ("reserved", "stored", "releasing", "retrieving", "unconfirmed", "refused")
"""Parcel states in which a parcel is (or may be) in the locker."""


class InventoryError(Exception):
    """A locker action the inventory refuses; `key` is the error key shown to the resident."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail


@dataclass(frozen=True)
class Parcel:
    """A parcel as the flows see it (no phone, no code)."""

    id: str
    waybill: str
    company: str
    phone_masked: str
    compartment: str | None
    status: str
    deposited_at: float | None
    storage_hours: float
    fee_paid: int


@dataclass(frozen=True)
class Action:
    """One physical action: open `compartment` for `parcel`."""

    id: int
    kind: str
    parcel: str
    compartment: str
    phase: str


@dataclass(frozen=True)
class Problem:
    """A disagreement for the maintainers' menu."""

    id: int
    compartment: str
    kind: str
    detail: str
    found_at: float


class Inventory:
    """Compartments and parcels in the kiosk database; every change journaled."""

    def __init__(
        self, db: Database, layout: Layout, keyed: Keyed, clock: Clock, journal: Journal
    ) -> None:
        self.db = db
        self.layout = layout
        self.keyed = keyed
        self.clock = clock
        self.journal = journal
        db.migrate(schema.COMPONENT, schema.MIGRATIONS)
        self._sync_layout()

    # -- compartments --------------------------------------------------------------------------

    def _sync_layout(self) -> None:
        now = self.clock.now()
        with self.db.transaction() as conn:
            for compartment in self.layout:
                conn.execute(
                    "INSERT OR IGNORE INTO locker_compartments (id, updated_at) VALUES (?, ?)",
                    (compartment.id, now),
                )

    def states(self) -> dict[str, str]:
        """Each compartment's state as the maintainers see it (an open door shows first)."""
        with self.db.reading() as conn:
            rows = conn.execute("SELECT id, state, door FROM locker_compartments").fetchall()
        return {row["id"]: shown_state(row["state"], row["door"]) for row in rows}

    def compartments(self) -> dict[str, tuple[str, str]]:
        """(state, door) of every compartment, in one query."""
        with self.db.reading() as conn:
            rows = conn.execute("SELECT id, state, door FROM locker_compartments").fetchall()
        return {row["id"]: (row["state"], row["door"]) for row in rows}

    def compartment_state(self, compartment: str) -> tuple[str, str]:
        """(state, door) of one compartment."""
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT state, door FROM locker_compartments WHERE id = ?", (compartment,)
            ).fetchone()
        if row is None:
            raise InventoryError("locker.unknown_compartment", compartment)
        return row["state"], row["door"]

    def free_fitting(
        self, size: str, *, low: bool = False, wheelchair: bool = False
    ) -> list[Compartment]:
        """Free compartments at least `size`, smallest first (then low ones, then by id)."""
        states = self.states()
        wanted = SIZES.index(size)
        fitting = [
            c
            for c in self.layout
            if states.get(c.id) == "free"
            and c.size_rank >= wanted
            and (not low or c.band == "low")
            and (not wheelchair or c.wheelchair)
        ]
        return sorted(fitting, key=lambda c: (c.size_rank, c.band != "low", c.id))

    def set_out_of_service(self, compartment: str, reason: str) -> None:
        """Take a compartment out of service (a jammed door), with a problem listed."""
        now = self.clock.now()
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE locker_compartments SET state = 'out_of_service', reason = ?,"
                " updated_at = ? WHERE id = ?",
                (reason, now, compartment),
            )
            self._problem(conn, compartment, reason, f"{compartment} out of service: {reason}")
        self._journal(compartment, "out_of_service", {"reason": reason})

    def set_door(self, compartment: str, door: str) -> None:
        """Remember what a compartment's door last read (closed, open, unknown)."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE locker_compartments SET door = ?, updated_at = ? WHERE id = ?",
                (door, self.clock.now(), compartment),
            )

    # -- deposit -------------------------------------------------------------------------------

    def begin_deposit(
        self,
        compartment: str,
        *,
        waybill: str,
        company: str,
        phone: str,
        storage_hours: float,
        courier: str,
    ) -> Action:
        """Reserve `compartment` for a new parcel and write the intent to open it."""
        now = self.clock.now()
        with self.db.transaction() as conn:
            self._require_state(conn, compartment, "free")
            parcel = self._new_id(conn)
            conn.execute(
                "INSERT INTO locker_parcels (id, waybill, company, phone_hash, phone_masked,"
                " compartment, status, courier, storage_hours, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, 'reserved', ?, ?, ?, ?)",
                (
                    parcel,
                    waybill,
                    company,
                    self.keyed.digest("phone", _digits(phone)),
                    mask_phone(_digits(phone)),
                    compartment,
                    courier,
                    storage_hours,
                    now,
                    now,
                ),
            )
            self._assign_code(conn, parcel)
            self._history(conn, parcel, "reserved", compartment)
            conn.execute(
                "UPDATE locker_compartments SET state = 'reserved', updated_at = ? WHERE id = ?",
                (now, compartment),
            )
            action = self._intent(conn, "deposit", parcel, compartment)
        self._journal(compartment, "intent.deposit", {"parcel": parcel, "action": action.id})
        return action

    def _assign_code(self, conn: sqlite3.Connection, parcel: str, first: int = 0) -> None:
        """Give a parcel a pickup code no other parcel in the locker has (`first`: the nonce to
        start from, past the parcel's earlier codes)."""
        for nonce in range(first, first + 1000):
            code_hash = self.keyed.digest("code", self.keyed.pickup_code(parcel, nonce))
            taken = conn.execute(
                f"SELECT 1 FROM locker_parcels WHERE code_hash = ? AND status IN {ACTIVE!r}",
                (code_hash,),
            ).fetchone()
            if taken is None:
                conn.execute(
                    "UPDATE locker_parcels SET code_hash = ?, nonce = ? WHERE id = ?",
                    (code_hash, nonce, parcel),
                )
                return
        raise InventoryError("locker.no_code", parcel)

    def seed(
        self,
        compartment: str,
        *,
        waybill: str,
        company: str,
        phone: str,
        code: str,
        deposited_at: float,
        storage_hours: float,
    ) -> str:
        """Put a parcel with a given code in a free compartment (a simulated locker's contents
        at the start of a scripted run; its code cannot be derived again)."""
        with self.db.transaction() as conn:
            self._require_state(conn, compartment, "free")
            parcel = self._new_id(conn)
            conn.execute(
                "INSERT INTO locker_parcels (id, waybill, company, phone_hash, phone_masked,"
                " code_hash, nonce, compartment, status, storage_hours, deposited_at,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, -1, ?, 'stored', ?, ?, ?, ?)",
                (
                    parcel,
                    waybill,
                    company,
                    self.keyed.digest("phone", _digits(phone)),
                    mask_phone(_digits(phone)),
                    self.keyed.digest("code", code),
                    compartment,
                    storage_hours,
                    deposited_at,
                    deposited_at,
                    deposited_at,
                ),
            )
            conn.execute(
                "UPDATE locker_compartments SET state = 'occupied', updated_at = ? WHERE id = ?",
                (deposited_at, compartment),
            )
            self._history(conn, parcel, "stored", compartment, "seeded")
        return parcel

    def _new_id(self, conn: sqlite3.Connection) -> str:
        number = conn.execute("SELECT COUNT(*) FROM locker_parcels").fetchone()[0] + 1
        return f"P{number:06d}"

    def pickup_code(self, parcel: str) -> str:
        """A stored parcel's pickup code, derived again (for the notification only)."""
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT nonce FROM locker_parcels WHERE id = ?", (parcel,)
            ).fetchone()
        if row is None:
            raise InventoryError("locker.unknown_parcel", parcel)
        return self.keyed.pickup_code(parcel, int(row["nonce"]))

    def move(self, action: Action, compartment: str) -> Action:
        """A door that did not open: the parcel's reservation moves to `compartment` (free), the
        old action fails, and a new intent is written."""
        now = self.clock.now()
        with self.db.transaction() as conn:
            self._require_state(conn, compartment, "free")
            self._phase(conn, action.id, "failed")
            conn.execute(
                "UPDATE locker_parcels SET compartment = ?, updated_at = ? WHERE id = ?",
                (compartment, now, action.parcel),
            )
            reserved = "reserved" if action.kind == "deposit" else "occupied"
            conn.execute(
                "UPDATE locker_compartments SET state = ?, updated_at = ? WHERE id = ?",
                (reserved, now, compartment),
            )
            self._history(conn, action.parcel, "moved", compartment, f"from {action.compartment}")
            moved = self._intent(conn, action.kind, action.parcel, compartment)
        self._journal(
            compartment, "reassigned", {"parcel": action.parcel, "from": action.compartment}
        )
        return moved

    def opened(self, action: Action) -> None:
        """The door was seen open: committed without waiting for the disk (no fsync holds up
        the open's ack). The intent before it is durable; a power cut that loses this leaves
        the action at that intent, which a restart settles by the door as it reads then
        (`reconcile.recover`), flagging for a look what it cannot tell."""
        with self.db.transaction(durable=False) as conn:
            self._phase(conn, action.id, "opened")
            conn.execute(
                "UPDATE locker_compartments SET door = 'open', updated_at = ? WHERE id = ?",
                (self.clock.now(), action.compartment),
            )
        self._journal(action.compartment, f"opened.{action.kind}", {"action": action.id})

    def finish_deposit(self, action: Action) -> Parcel:
        """The courier closed the door: the parcel is stored."""
        now = self.clock.now()
        with self.db.transaction() as conn:
            self._record_deposit(conn, action, now)
        self._journal(action.compartment, "recorded.deposit", {"parcel": action.parcel})
        return self.parcel(action.parcel)

    def _record_deposit(self, conn: sqlite3.Connection, action: Action, now: float) -> None:
        self._phase(conn, action.id, "recorded")
        conn.execute(
            "UPDATE locker_parcels SET status = 'stored', deposited_at = ?, updated_at = ?"
            " WHERE id = ?",
            (now, now, action.parcel),
        )
        conn.execute(
            "UPDATE locker_compartments SET state = 'occupied', door = 'closed', updated_at = ?"
            " WHERE id = ?",
            (now, action.compartment),
        )
        self._history(conn, action.parcel, "stored", action.compartment)

    def cancel_deposit(self, action: Action, reason: str) -> None:
        """A deposit given up before the door opened: the compartment is free again."""
        now = self.clock.now()
        with self.db.transaction() as conn:
            self._phase(conn, action.id, "failed")
            conn.execute(
                "UPDATE locker_parcels SET status = 'cancelled', code_hash = NULL,"
                " updated_at = ? WHERE id = ?",
                (now, action.parcel),
            )
            conn.execute(
                "UPDATE locker_compartments SET state = 'free', updated_at = ?"
                " WHERE id = ? AND state = 'reserved'",
                (now, action.compartment),
            )
            self._history(conn, action.parcel, "cancelled", action.compartment, reason)
        self._journal(action.compartment, "cancelled.deposit", {"reason": reason})

    # -- pickup and retrieval ------------------------------------------------------------------

    def parcels_for_code(self, code: str) -> list[Parcel]:
        """Every stored parcel of the recipient whose parcel has this pickup code."""
        code_hash = self.keyed.digest("code", code)
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT phone_hash FROM locker_parcels WHERE code_hash = ? AND status = 'stored'",
                (code_hash,),
            ).fetchone()
            if row is None:
                return []
            rows = conn.execute(
                "SELECT * FROM locker_parcels WHERE phone_hash = ? AND status = 'stored'"
                " ORDER BY compartment",
                (row["phone_hash"],),
            ).fetchall()
        return [_parcel(r) for r in rows]

    def to_retrieve(self, days: float, company: str) -> list[Parcel]:
        """`company`'s parcels for its courier to take back: stored ones uncollected for `days`
        or more, and every refused one."""
        limit = self.clock.now() - days * 86400
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM locker_parcels WHERE company = ? AND (status = 'refused'"
                " OR (status = 'stored' AND deposited_at <= ?)) ORDER BY compartment",
                (company, limit),
            ).fetchall()
        return [_parcel(r) for r in rows]

    def refuse(self, parcel: str, reason: str = "") -> Parcel:
        """The recipient refused a stored parcel (拒收): one committed change, no door. Its code
        dies, it owes no fee, and it waits in its compartment for the courier."""
        now = self.clock.now()
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT status, compartment, waybill, phone_masked FROM locker_parcels"
                " WHERE id = ?",
                (parcel,),
            ).fetchone()
            if row is None or row["status"] != "stored":
                raise InventoryError("locker.not_stored", parcel)
            conn.execute(
                "UPDATE locker_parcels SET status = 'refused', code_hash = NULL, updated_at = ?"
                " WHERE id = ?",
                (now, parcel),
            )
            self._history(conn, parcel, "refused", row["compartment"], reason)
        masked = {"waybill": "…" + row["waybill"][-4:], "phone": row["phone_masked"]}
        self._journal(row["compartment"], "refused", {"parcel": parcel, **masked})
        return self.parcel(parcel)

    def begin_release(self, parcel: str, kind: str) -> Action:
        """Write the intent to open a stored parcel's compartment (pickup or retrieve; a refused
        one is only retrieved); from here on its code works no more."""
        status = "releasing" if kind == "pickup" else "retrieving"
        now = self.clock.now()
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT status, compartment FROM locker_parcels WHERE id = ?", (parcel,)
            ).fetchone()
            takeable = ("stored", "refused") if kind == "retrieve" else ("stored",)
            if row is None or row["status"] not in takeable:
                raise InventoryError("locker.not_stored", parcel)
            conn.execute(
                "UPDATE locker_parcels SET status = ?, code_hash = NULL, updated_at = ?"
                " WHERE id = ?",
                (status, now, parcel),
            )
            self._history(conn, parcel, status, row["compartment"])
            action = self._intent(conn, kind, parcel, row["compartment"])
        self._journal(action.compartment, f"intent.{kind}", {"parcel": parcel, "action": action.id})
        return action

    def finish_release(self, action: Action, door: str = "open") -> Parcel:
        """The parcel was taken out: its compartment is free (its door as last read)."""
        now = self.clock.now()
        with self.db.transaction() as conn:
            self._record_release(conn, action, now, door)
        self._journal(action.compartment, f"recorded.{action.kind}", {"parcel": action.parcel})
        return self.parcel(action.parcel)

    def _record_release(
        self, conn: sqlite3.Connection, action: Action, now: float, door: str
    ) -> None:
        status = "picked_up" if action.kind == "pickup" else "retrieved"
        self._phase(conn, action.id, "recorded")
        conn.execute(
            "UPDATE locker_parcels SET status = ?, updated_at = ? WHERE id = ?",
            (status, now, action.parcel),
        )
        conn.execute(
            "UPDATE locker_compartments SET state = 'free', door = ?, updated_at = ?"
            " WHERE id = ? AND state != 'out_of_service'",
            (door, now, action.compartment),
        )
        self._history(conn, action.parcel, status, action.compartment)

    def release_failed(self, action: Action, reason: str) -> str:
        """A door that would not open for a release: the parcel stays stored, with a new code
        (the old one worked once), or refused (no code) if it was; the compartment goes out of
        service. Returns the parcel's status now."""
        now = self.clock.now()
        with self.db.transaction() as conn:
            self._phase(conn, action.id, "failed")
            refused = conn.execute(
                "SELECT 1 FROM locker_history WHERE parcel = ? AND status = 'refused'",
                (action.parcel,),
            ).fetchone()
            status = "stored" if refused is None else "refused"
            conn.execute(
                "UPDATE locker_parcels SET status = ?, updated_at = ? WHERE id = ?",
                (status, now, action.parcel),
            )
            if status == "stored":
                nonce = conn.execute(
                    "SELECT nonce FROM locker_parcels WHERE id = ?", (action.parcel,)
                ).fetchone()[0]
                self._assign_code(conn, action.parcel, max(int(nonce), 0) + 1)
            self._history(conn, action.parcel, status, action.compartment, reason)
        self.set_out_of_service(action.compartment, reason)
        return status

    def unconfirm(self, action: Action, door: str) -> None:
        """An interrupted action whose outcome the doors cannot tell: the parcel is kept as
        `unconfirmed` (no code works for it), its compartment occupied until someone looks."""
        now = self.clock.now()
        with self.db.transaction() as conn:
            self._phase(conn, action.id, "interrupted")
            conn.execute(
                "UPDATE locker_parcels SET status = 'unconfirmed', code_hash = NULL,"
                " updated_at = ? WHERE id = ?",
                (now, action.parcel),
            )
            conn.execute(
                "UPDATE locker_compartments SET state = 'occupied', door = ?, updated_at = ?"
                " WHERE id = ? AND state != 'out_of_service'",
                (door, now, action.compartment),
            )
            self._history(conn, action.parcel, "unconfirmed", action.compartment, action.phase)
        self._journal(action.compartment, f"interrupted.{action.kind}", {"parcel": action.parcel})

    def active_action(self, compartment: str) -> bool:
        """Whether an action on this compartment is under way."""
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT 1 FROM locker_actions WHERE compartment = ?"
                " AND phase IN ('intent', 'opened')",
                (compartment,),
            ).fetchone()
        return row is not None

    def free(self, compartment: str) -> None:
        """A reserved compartment nothing is under way for is free again."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE locker_compartments SET state = 'free', updated_at = ?"
                " WHERE id = ? AND state = 'reserved'",
                (self.clock.now(), compartment),
            )

    def pay(self, parcel: str, amount: int) -> None:
        """Record a fee paid for a parcel (fen)."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE locker_parcels SET fee_paid = fee_paid + ?, updated_at = ? WHERE id = ?",
                (amount, self.clock.now(), parcel),
            )
            self._history(conn, parcel, "paid", None, f"{amount}")

    # -- reading -------------------------------------------------------------------------------

    def parcel(self, parcel: str) -> Parcel:
        """One parcel."""
        with self.db.reading() as conn:
            row = conn.execute("SELECT * FROM locker_parcels WHERE id = ?", (parcel,)).fetchone()
        if row is None:
            raise InventoryError("locker.unknown_parcel", parcel)
        return _parcel(row)

    def parcels(self, statuses: Iterable[str] = ACTIVE) -> list[Parcel]:
        """Parcels in any of these states."""
        wanted = tuple(statuses)
        marks = ", ".join("?" * len(wanted))
        with self.db.reading() as conn:
            rows = conn.execute(
                f"SELECT * FROM locker_parcels WHERE status IN ({marks}) ORDER BY id", wanted
            ).fetchall()
        return [_parcel(r) for r in rows]

    def history(self, parcel: str) -> list[str]:
        """A parcel's statuses, oldest first."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT status FROM locker_history WHERE parcel = ? ORDER BY id", (parcel,)
            ).fetchall()
        return [row["status"] for row in rows]

    def unfinished(self) -> list[Action]:
        """Actions written but never recorded (a process that died mid-way)."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM locker_actions WHERE phase IN ('intent', 'opened') ORDER BY id"
            ).fetchall()
        return [_action(r) for r in rows]

    def problems(self) -> list[Problem]:
        """Disagreements not yet resolved, for the maintainers' menu."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM locker_problems WHERE resolved_at IS NULL ORDER BY id"
            ).fetchall()
        return [
            Problem(r["id"], r["compartment"], r["kind"], r["detail"], r["found_at"]) for r in rows
        ]

    def fee(self, parcel: Parcel, fee_per_day: int, cap: int, at: float | None = None) -> int:
        """What is still to pay for a parcel now (or `at`), in fen: each started day after the
        free period, capped."""
        if parcel.deposited_at is None:
            return 0
        when = self.clock.now() if at is None else at
        late = when - parcel.deposited_at - parcel.storage_hours * 3600
        if late <= 0:
            return 0
        return max(0, min(cap, math.ceil(late / 86400) * fee_per_day) - parcel.fee_paid)

    # -- machinery -----------------------------------------------------------------------------

    def _require_state(self, conn: sqlite3.Connection, compartment: str, state: str) -> None:
        row = conn.execute(
            "SELECT state FROM locker_compartments WHERE id = ?", (compartment,)
        ).fetchone()
        if row is None:
            raise InventoryError("locker.unknown_compartment", compartment)
        if row["state"] != state:
            raise InventoryError("locker.compartment_taken", f"{compartment} is {row['state']}")

    def _intent(self, conn: sqlite3.Connection, kind: str, parcel: str, compartment: str) -> Action:
        now = self.clock.now()
        cursor = conn.execute(
            "INSERT INTO locker_actions (kind, parcel, compartment, phase, created_at, updated_at)"
            " VALUES (?, ?, ?, 'intent', ?, ?)",
            (kind, parcel, compartment, now, now),
        )
        return Action(int(cursor.lastrowid or 0), kind, parcel, compartment, "intent")

    def _phase(self, conn: sqlite3.Connection, action: int, phase: str) -> None:
        conn.execute(
            "UPDATE locker_actions SET phase = ?, updated_at = ? WHERE id = ?",
            (phase, self.clock.now(), action),
        )

    def _history(
        self,
        conn: sqlite3.Connection,
        parcel: str,
        status: str,
        compartment: str | None,
        detail: str = "",
    ) -> None:
        conn.execute(
            "INSERT INTO locker_history (parcel, at, status, compartment, detail)"
            " VALUES (?, ?, ?, ?, ?)",
            (parcel, self.clock.now(), status, compartment, detail),
        )

    def problem(self, compartment: str, kind: str, detail: str) -> None:
        """List a disagreement for the maintainers (once while unresolved) and journal it."""
        with self.db.transaction() as conn:
            self._problem(conn, compartment, kind, detail)
        self._journal(compartment, f"problem.{kind}", {"detail": detail})

    def resolve(self, problem: int) -> None:
        """A maintainer dealt with a problem."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE locker_problems SET resolved_at = ? WHERE id = ?",
                (self.clock.now(), problem),
            )

    def _problem(self, conn: sqlite3.Connection, compartment: str, kind: str, detail: str) -> None:
        known = conn.execute(
            "SELECT 1 FROM locker_problems WHERE compartment = ? AND kind = ?"
            " AND resolved_at IS NULL",
            (compartment, kind),
        ).fetchone()
        if known is None:
            conn.execute(
                "INSERT INTO locker_problems (compartment, kind, detail, found_at)"
                " VALUES (?, ?, ?, ?)",
                (compartment, kind, detail, self.clock.now()),
            )

    def _journal(self, compartment: str, event: str, detail: dict[str, Any] | None = None) -> None:
        self.journal.record("locker", "locker", compartment, event, detail)


def shown_state(state: str, door: str) -> str:
    """The state shown for a compartment: its door when not closed, else its inventory state."""
    if door == "open":
        return "door_open"
    if door == "unknown":
        return "door_unknown"
    return state


def _digits(phone: str) -> str:
    return "".join(ch for ch in str(phone) if ch.isdigit())


def _parcel(row: sqlite3.Row) -> Parcel:
    return Parcel(
        id=row["id"],
        waybill=row["waybill"],
        company=row["company"],
        phone_masked=row["phone_masked"],
        compartment=row["compartment"],
        status=row["status"],
        deposited_at=row["deposited_at"],
        storage_hours=row["storage_hours"],
        fee_paid=row["fee_paid"],
    )


def _action(row: sqlite3.Row) -> Action:
    return Action(row["id"], row["kind"], row["parcel"], row["compartment"], row["phase"])


def compartment_states(path: Path) -> dict[str, str]:
    """Each compartment's shown state from a database file (for `kiosk locker layout`)."""
    db = Database(path)
    try:
        with db.reading() as conn:
            table = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'locker_compartments'"
            ).fetchone()
            if table is None:
                return {}
            rows = conn.execute("SELECT id, state, door FROM locker_compartments").fetchall()
        return {row["id"]: shown_state(row["state"], row["door"]) for row in rows}
    finally:
        db.close()


def open_problems(path: Path) -> list[Problem]:
    """The unresolved problems in a database file (for `kiosk locker problems`)."""
    db = Database(path)
    try:
        with db.reading() as conn:
            table = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'locker_problems'"
            ).fetchone()
            if table is None:
                return []
            rows = conn.execute(
                "SELECT * FROM locker_problems WHERE resolved_at IS NULL ORDER BY id"
            ).fetchall()
        return [
            Problem(r["id"], r["compartment"], r["kind"], r["detail"], r["found_at"]) for r in rows
        ]
    finally:
        db.close()
