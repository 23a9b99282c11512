"""A simulated locker as an answers file describes it: the parcels it holds at the start."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kiosk.flow.services import Clock

if TYPE_CHECKING:  # the inventory is imported when there are parcels to put in it
    from kiosk.locker.inventory import Inventory


class ScriptedLockerError(ValueError):
    """The answers file's `locker:` section cannot be put in this locker (one line)."""


def refused_in_app(locker: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(waybill, company) of the parcels whose recipients refused them in the courier company's
    app (`refused_in_app: true`): the demo courier back office is told before the run."""
    return [
        (str(entry["waybill"]), str(entry.get("company", "")))
        for entry in locker.get("parcels") or []
        if isinstance(entry, Mapping) and entry.get("refused_in_app") and "waybill" in entry
    ]


def seed_parcels(inventory: Inventory | None, locker: Mapping[str, Any], clock: Clock) -> int:
    """Put `locker: parcels: [{compartment, waybill, company, phone, code, days,
    storage_hours, refused, refused_in_app}]` in the inventory (`refused: true`: its recipient
    refused it at the locker; `refused_in_app`: see `refused_in_app`); returns how many."""
    parcels = locker.get("parcels") or []
    if not parcels:
        return 0
    if inventory is None:
        raise ScriptedLockerError(
            "the answers file puts parcels in a locker, but this kiosk is none"
        )
    from kiosk.locker.inventory import InventoryError

    for entry in parcels:
        try:
            parcel = inventory.seed(
                str(entry["compartment"]),
                waybill=str(entry["waybill"]),
                company=str(entry.get("company", "")),
                phone=str(entry["phone"]),
                code=str(entry["code"]),
                deposited_at=clock.now() - float(entry.get("days", 0)) * 86400,
                storage_hours=float(entry.get("storage_hours", 24)),
            )
            if entry.get("refused"):
                inventory.refuse(parcel, "seeded")
        except (KeyError, TypeError, ValueError, InventoryError) as exc:
            raise ScriptedLockerError(f"locker parcel {entry!r}: {exc}") from exc
    return len(parcels)
