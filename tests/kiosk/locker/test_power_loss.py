"""Power loss: the locker process is SIGKILLed at each point of a deposit and of a pickup
(before the door opens, while it is open, after it closes before the record is updated); the
person at the locker then shuts the door or not. After a restart and its reconciliation the
inventory and the doors agree, no parcel is lost and no code works twice.

Kill points: 3 per action (intent, open, closed), the open one with the door shut meanwhile and
left open: 4 scenarios for a deposit and 4 for a pickup, on each of the three board families.
A refusal (拒收) opens no door: one committed change, killed right after it (one family).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.flow.locker import LockerError
from peripherals.lock_board.simulator import LockBusSimulator
from tests.kiosk.locker import kill_worker

ROOT = Path(__file__).resolve().parents[3]
LOCK = 3  # A-03 in the worker's layout
SCENARIOS = [
    ("intent", "shut"),
    ("open", "shut"),
    ("open", "left open"),
    ("closed", "shut"),
]


@pytest.fixture(params=["8a", "wkly", "kerong"])
def bus(request: pytest.FixtureRequest) -> Iterator[LockBusSimulator]:
    family = request.param
    with LockBusSimulator(family, boards=[kill_worker.ADDRESS[family]], locks_per_board=24) as sim:
        yield sim


def worker(sim: LockBusSimulator, data: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.kiosk.locker.kill_worker", args[0], str(data), sim.port,
         sim.family, *args[1:]],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )  # fmt: skip


def run_until(process: subprocess.Popen[str], stop: str) -> list[str]:
    """Read the worker's points until `stop` (then SIGKILL it) or its end."""
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line.strip())
        if line.strip() in (f"AT {stop}", "DONE"):
            break
    if seen[-1] != "DONE":
        process.kill()
    process.wait(timeout=10)
    process.stdout.close()
    return seen


def deposited(sim: LockBusSimulator, data: Path) -> tuple[str, str]:
    """A parcel deposited in A-03 beforehand, and its pickup code."""
    sim.close_after_reads = 2
    assert run_until(worker(sim, data, "deposit", "none"), "none")[-1] == "DONE"
    service, board = kill_worker.locker(data, sim.port, sim.family)
    try:
        (parcel,) = service.inventory.parcels(["stored"])
        return parcel.id, service.inventory.pickup_code(parcel.id)
    finally:
        board.close()
        service.inventory.db.close()


def restart_and_check(sim: LockBusSimulator, data: Path) -> kill_worker.LockerService:
    """Restart: reconcile, then compare every door with what the inventory says of it."""
    service, board = kill_worker.locker(data, sim.port, sim.family)
    try:
        asyncio.run(service.reconcile())
        address = kill_worker.ADDRESS[sim.family]
        for compartment in service.layout:
            _state, door = service.inventory.compartment_state(compartment.id)
            physical = "open" if sim.door_open(address, compartment.lock) else "closed"
            assert door == physical, compartment.id
            if physical == "open":
                assert any(p.compartment == compartment.id for p in service.inventory.problems())
        assert service.inventory.unfinished() == []
    finally:
        board.close()
    return service


@pytest.mark.parametrize(("stop", "person"), SCENARIOS)
def test_a_deposit_killed_at_each_point_loses_no_parcel(
    bus: LockBusSimulator, tmp_path: Path, stop: str, person: str
) -> None:
    address = kill_worker.ADDRESS[bus.family]
    bus.close_after_reads = 2 if stop == "closed" else None
    points = run_until(worker(bus, tmp_path, "deposit", stop), stop)
    assert points[-1] == f"AT {stop}"
    if person == "shut":
        bus.close_door(address, LOCK)
    service = restart_and_check(bus, tmp_path)
    try:
        (parcel,) = service.inventory.parcels(
            ["stored", "unconfirmed", "reserved", "cancelled", "picked_up"]
        )
        in_it = (address, LOCK) in bus.opened  # the courier put it in once the door opened
        if in_it:
            # in the locker, and the inventory says so (stored, or flagged for a look)
            assert parcel.status in ("stored", "unconfirmed")
            assert service.inventory.compartment_state("A-03")[0] == "occupied"
        if stop == "open" and person == "shut":
            assert parcel.status == "stored"  # closing is what records a deposit
        if parcel.status == "unconfirmed":
            assert any(p.kind == "interrupted_deposit" for p in service.inventory.problems())
    finally:
        service.inventory.db.close()


@pytest.mark.parametrize(("stop", "person"), SCENARIOS)
def test_a_pickup_killed_at_each_point_never_lets_its_code_work_twice(
    bus: LockBusSimulator, tmp_path: Path, stop: str, person: str
) -> None:
    address = kill_worker.ADDRESS[bus.family]
    parcel, code = deposited(bus, tmp_path)
    opened_before = len(bus.opened)
    bus.close_after_reads = 2 if stop == "closed" else None
    points = run_until(worker(bus, tmp_path, "pickup", stop, parcel), stop)
    assert points[-1] == f"AT {stop}"
    if person == "shut":
        bus.close_door(address, LOCK)
    service = restart_and_check(bus, tmp_path)
    try:
        assert service.inventory.parcels_for_code(code) == []
        status = service.inventory.parcel(parcel).status
        taken = len(bus.opened) > opened_before  # the resident took it once the door opened
        if taken:
            assert status == "picked_up"
        else:
            assert status == "unconfirmed"  # still inside: kept, flagged, its code dead
            assert service.inventory.compartment_state("A-03")[0] == "occupied"
    finally:
        service.inventory.db.close()


@pytest.mark.parametrize("bus", ["wkly"], indirect=True)
def test_a_refusal_killed_once_committed_leaves_a_code_that_never_opens_a_door(
    bus: LockBusSimulator, tmp_path: Path
) -> None:
    parcel, code = deposited(bus, tmp_path)
    opened_before = list(bus.opened)
    points = run_until(worker(bus, tmp_path, "refuse", "refused", parcel), "refused")
    assert points == ["AT refused"]  # no door on the way
    service = restart_and_check(bus, tmp_path)
    try:
        assert service.inventory.parcel(parcel).status == "refused"
        assert service.inventory.compartment_state("A-03")[0] == "occupied"
        with pytest.raises(LockerError) as refused:
            asyncio.run(service.find(code))
        assert refused.value.key == "locker.wrong_code"
        with pytest.raises(LockerError):
            asyncio.run(service.release(parcel, "pickup"))
        assert bus.opened == opened_before  # no door opened for it since the deposit
    finally:
        service.inventory.db.close()
