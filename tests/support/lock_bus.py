"""A lock-bus simulator with a real family driver on its pty, for the lock-board tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peripherals import registry
from peripherals.events import DeviceEvent, QueueDispatcher
from peripherals.lock_board.base import LockBoard
from peripherals.lock_board.simulator import LockBusSimulator

DRIVER = {"8a": "lockboard-8a", "wkly": "lockboard-wkly", "kerong": "lockboard-kerong"}
FAMILIES = tuple(DRIVER)
FAST = {
    "timeout": 0.1,
    "retries": 2,
    "open_timeout": 0.3,
    "poll_interval": 0.01,
    "coil_time": 0.02,
}
"""Short waits for tests whose boards answer at once."""


@dataclass
class Bus:
    """A simulator, the real driver on its pty, and the events the driver posted."""

    sim: LockBusSimulator
    device: LockBoard
    events: QueueDispatcher

    @property
    def board(self) -> int:
        return self.device.boards[0]

    def next_event(self) -> DeviceEvent:
        return self.events.get(timeout=2)

    def close(self) -> None:
        self.device.close()
        self.sim.stop()


def make_bus(
    family: str, sim_options: dict[str, Any] | None = None, *, fast: bool = True, **options: Any
) -> Bus:
    """Start a simulated bus and open the family's driver on it (`fast`: short waits)."""
    sim = LockBusSimulator(family, **(sim_options or {}))
    sim.start()
    events = QueueDispatcher()
    settings = {**(FAST if fast else {}), "boards": list(sim.boards), **options, "port": sim.port}
    try:
        device = registry.create("lock_board", DRIVER[family], settings, dispatcher=events)
        assert isinstance(device, LockBoard)
        device.open()
    except BaseException:
        sim.stop()
        raise
    return Bus(sim, device, events)
