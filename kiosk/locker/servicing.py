"""What a maintainer does to the inventory beyond the flows: put a compartment back in service,
find the parcel stored in a compartment (to hand it to its resident) and the compartments
holding refused parcels, waive an overdue fee, resolve a problem with a reason."""

from __future__ import annotations

import logging

from kiosk.locker.inventory import ACTIVE, Inventory, Parcel

log = logging.getLogger(__name__)


def back_in_service(inventory: Inventory, compartment: str) -> bool:
    """Put an out-of-service compartment back: occupied if a parcel is still in it, else free;
    its open problems are resolved (the maintainer has looked). False if it was not out."""
    now = inventory.clock.now()
    marks = ", ".join("?" * len(ACTIVE))
    with inventory.db.transaction() as conn:
        row = conn.execute(
            "SELECT state FROM locker_compartments WHERE id = ?", (compartment,)
        ).fetchone()
        if row is None or row["state"] != "out_of_service":
            return False
        held = conn.execute(
            f"SELECT 1 FROM locker_parcels WHERE compartment = ? AND status IN ({marks})",
            (compartment, *ACTIVE),
        ).fetchone()
        state = "occupied" if held is not None else "free"
        conn.execute(
            "UPDATE locker_compartments SET state = ?, reason = NULL, updated_at = ? WHERE id = ?",
            (state, now, compartment),
        )
        conn.execute(
            "UPDATE locker_problems SET resolved_at = ? WHERE compartment = ?"
            " AND resolved_at IS NULL",
            (now, compartment),
        )
    inventory.journal.record("locker", "locker", compartment, "back_in_service", {"state": state})
    log.info("compartment %s back in service (%s)", compartment, state)
    return True


def stored_in(inventory: Inventory, compartment: str) -> Parcel | None:
    """The parcel stored in `compartment` (ready to be picked up), if any."""
    found = [p for p in inventory.parcels(("stored",)) if p.compartment == compartment]
    return found[0] if found else None


def refused_in(inventory: Inventory) -> set[str]:
    """Compartments holding a parcel its recipient refused (拒收), waiting for its courier."""
    return {p.compartment for p in inventory.parcels(("refused",)) if p.compartment}


def waive_fee(inventory: Inventory, parcel: str, amount: int, reason: str) -> None:
    """Record an overdue fee of `amount` fen waived for `parcel` (never counted as paid)."""
    with inventory.db.transaction() as conn:
        row = conn.execute(
            "SELECT compartment FROM locker_parcels WHERE id = ?", (parcel,)
        ).fetchone()
        compartment = row["compartment"] if row else None
        conn.execute(
            "INSERT INTO locker_history (parcel, at, status, compartment, detail)"
            " VALUES (?, ?, 'fee_waived', ?, ?)",
            (parcel, inventory.clock.now(), compartment, f"{amount} {reason}"),
        )
    inventory.journal.record(
        "locker", "locker", compartment or "", "fee_waived",
        {"parcel": parcel, "amount": amount, "reason": reason},
    )  # fmt: skip
    log.info("fee of %d fen waived for parcel %s (%s)", amount, parcel, reason)


def resolve_problem(inventory: Inventory, problem: int, reason: str) -> bool:
    """Mark an open problem resolved by a maintainer, with why; False if it was not open."""
    with inventory.db.transaction() as conn:
        row = conn.execute(
            "SELECT compartment, kind FROM locker_problems WHERE id = ? AND resolved_at IS NULL",
            (problem,),
        ).fetchone()
        if row is None:
            return False
        conn.execute(
            "UPDATE locker_problems SET resolved_at = ? WHERE id = ?",
            (inventory.clock.now(), problem),
        )
    inventory.journal.record(
        "locker", "locker", row["compartment"], "problem_resolved",
        {"problem": problem, "kind": row["kind"], "reason": reason},
    )  # fmt: skip
    log.info("problem %d (%s) resolved: %s", problem, row["kind"], reason)
    return True
