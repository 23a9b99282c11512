"""What a maintainer does to the inventory beyond the flows: put a compartment back in service,
and find the parcel stored in a compartment (to hand it to its resident)."""

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
