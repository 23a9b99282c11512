"""Lights flash on their own channels: a lock's channel is never flashed (it would stay open)."""

from __future__ import annotations

import os

import pytest
import serial

from peripherals import registry
from peripherals.errors import PeripheralError
from peripherals.lock_board import protocol_wkly as pw
from peripherals.lock_board.base import LockBoardFeature
from peripherals.lock_board.options import BadLockOption
from peripherals.lock_board.simulator import LockBusSimulator
from tests.support.lock_bus import DRIVER, FAMILIES, make_bus


def test_the_simulator_holds_a_lock_whose_channel_is_flashed() -> None:
    # LockDemo: command 81 on a lock's channel keeps it unlocking until the board restarts.
    with LockBusSimulator("wkly", boards=[0]) as sim:
        with serial.Serial(sim.port, 9600, timeout=1) as port:
            port.write(pw.flash(0, 2))
            assert len(port.read(9)) == 9
        assert sim.held == {(0, 2)} and sim.door_open(0, 2)


def test_wkly_without_light_channels_refuses_to_flash_and_sends_nothing() -> None:
    made = make_bus("wkly")
    try:
        assert not made.device.capabilities & LockBoardFeature.LIGHT
        with pytest.raises(PeripheralError, match="light_channels") as caught:
            made.device.flash_light(made.board, 2)
        assert caught.value.code == "lock.no_light"
        assert made.sim.frames == [] and made.sim.held == set()
    finally:
        made.close()


def test_wkly_flashes_a_light_on_its_own_channel() -> None:
    made = make_bus("wkly", {"locks_per_board": 12}, locks_per_board=12, light_channels={"2": 14})
    try:
        assert made.device.capabilities & LockBoardFeature.LIGHT
        made.device.flash_light(made.board, 2)
        assert made.sim.frames == [pw.flash(made.board, 14)]
        assert made.sim.flashed == [(made.board, 14)] and made.sim.held == set()
        assert not made.sim.door_open(made.board, 2)
        with pytest.raises(PeripheralError) as unlit:
            made.device.flash_light(made.board, 3)
        assert unlit.value.code == "lock.no_light"
    finally:
        made.close()


@pytest.mark.parametrize(
    ("channels", "says"),
    [
        ({"2": 2}, "drives lock 2"),
        ({"3": 12}, "drives lock 12"),
        ({"13": 20}, "1-12"),
        ({"2": 256}, "1-255"),
        ({"two": 20}, "lock number"),
        ([20], "table"),
    ],
)
def test_a_light_channel_that_drives_a_lock_or_makes_no_sense_is_refused(
    channels: object, says: str
) -> None:
    options = {"port": os.devnull, "locks_per_board": 12, "light_channels": channels}
    with pytest.raises(BadLockOption, match=says):
        registry.create("lock_board", "lockboard-wkly", options)


@pytest.mark.parametrize("family", ["8a", "kerong"])
def test_families_without_a_light_command_refuse_lights(family: str) -> None:
    with pytest.raises(BadLockOption, match="no light"):
        registry.create(
            "lock_board", DRIVER[family], {"port": os.devnull, "light_channels": {"1": 30}}
        )
    made = make_bus(family)
    try:
        with pytest.raises(PeripheralError) as caught:
            made.device.flash_light(made.board, 1)
        assert caught.value.code == "lock.unsupported"
        assert made.sim.frames == []
    finally:
        made.close()


@pytest.mark.parametrize("family", FAMILIES)
def test_nothing_a_driver_sends_leaves_a_lock_held_open(family: str) -> None:
    made = make_bus(family, watch_interval=0.01)
    try:
        made.device.open_lock(made.board, 1)
        made.device.door_states(made.board)
        made.device.health()
        assert made.sim.held == set()
        assert made.sim.opened == [(made.board, 1)]
    finally:
        made.close()
