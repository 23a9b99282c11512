"""After a restart and on demand: finish or flag the actions a dead process left, and compare
every door with the inventory. Each disagreement goes to the journal and the problems list."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from kiosk.locker.inventory import Action, Inventory

log = logging.getLogger(__name__)


@dataclass
class Reconciled:
    """What a reconciliation did."""

    completed_deposits: list[str] = field(default_factory=list)
    """Parcels whose deposit is recorded now (their recipients are still to be told)."""
    completed_releases: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    """Parcels whose fate only a look into the compartment can tell (status `unconfirmed`)."""
    problems: int = 0


def recover(inventory: Inventory, doors: Mapping[str, str]) -> Reconciled:
    """Settle every action written but not recorded, by the door it opened as it reads now."""
    done = Reconciled()
    for action in inventory.unfinished():
        door = doors.get(action.compartment, "unknown")
        if action.kind == "deposit":
            _recover_deposit(inventory, action, door, done)
        else:
            _recover_release(inventory, action, door, done)
    return done


def _recover_deposit(inventory: Inventory, action: Action, door: str, done: Reconciled) -> None:
    if action.phase == "opened" and door == "closed":
        # Opened for the courier and closed since: what closing records, recorded now.
        inventory.finish_deposit(action)
        done.completed_deposits.append(action.parcel)
        return
    inventory.unconfirm(action, door)
    done.flagged.append(action.parcel)
    detail = (
        f"deposit of parcel {action.parcel} interrupted ({action.phase}, door {door}): "
        "look into the compartment"
    )
    inventory.problem(action.compartment, "interrupted_deposit", detail)
    done.problems += 1


def _recover_release(inventory: Inventory, action: Action, door: str, done: Reconciled) -> None:
    if action.phase == "opened" or door == "open":
        inventory.finish_release(action, door)
        done.completed_releases.append(action.parcel)
        if door == "open":
            inventory.problem(action.compartment, "door_open", "door left open after a restart")
            done.problems += 1
        return
    inventory.unconfirm(action, door)
    done.flagged.append(action.parcel)
    detail = (
        f"{action.kind} of parcel {action.parcel} interrupted before its door was seen open "
        f"(door {door}): look into the compartment"
    )
    inventory.problem(action.compartment, f"interrupted_{action.kind}", detail)
    done.problems += 1


def compare_doors(inventory: Inventory, doors: Mapping[str, str]) -> int:
    """Compare every door read with the inventory; returns the disagreements found."""
    found = 0
    recorded = inventory.compartments()  # each row is changed only in its own turn below
    for compartment in inventory.layout:
        state, known = recorded[compartment.id]
        door = doors.get(compartment.id, "unknown")
        if door != known:
            inventory.set_door(compartment.id, door)
        if door == "open" and state != "out_of_service":
            inventory.problem(compartment.id, "door_open", f"door reads open ({state})")
            found += 1
        elif door == "unknown":
            inventory.problem(compartment.id, "door_unknown", f"door cannot be read ({state})")
            found += 1
        if state == "reserved" and not inventory.active_action(compartment.id):
            inventory.free(compartment.id)
    return found
