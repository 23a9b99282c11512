"""The `simulated` driver: the real family driver against the simulator, as `--simulate` uses it."""

from __future__ import annotations

import pytest

from peripherals import registry
from peripherals.errors import DeviceTimeout, DeviceUnavailable
from peripherals.lock_board.base import DoorState
from peripherals.lock_board.simulated import SimulatedLockBoard


def test_simulated_driver_needs_no_options_and_speaks_8a() -> None:
    device = registry.create("lock_board", "simulated", {}, name="locker")
    assert isinstance(device, SimulatedLockBoard)
    with device:
        assert device.driver == "simulated"
        assert device.open_lock(1, 1) is DoorState.OPEN
        assert device.simulator.frames[0] == bytes.fromhex("8A 01 01 11 9B")
    assert not device.is_open


@pytest.mark.parametrize("family", ["8a", "wkly", "kerong"])
def test_each_family_can_be_simulated_and_faulted(family: str) -> None:
    device = registry.create(
        "lock_board", "simulated", {"family": family, "timeout": 0.05, "retries": 1}
    )
    assert isinstance(device, SimulatedLockBoard)
    with device:
        board = device.boards[0]
        device.simulator.fail("silent")
        with pytest.raises(DeviceTimeout):
            device.door_state(board, 1)
        device.simulator.fail(None)
        assert device.door_state(board, 1) is DoorState.CLOSED


def test_unknown_family_is_a_clear_error() -> None:
    with pytest.raises(DeviceUnavailable, match="family"):
        registry.create("lock_board", "simulated", {"family": "nope"})
