"""The `feedback` option: locks whose contact shorts unlocked read the other way round."""

from __future__ import annotations

import pytest

from peripherals.errors import MediaError
from peripherals.lock_board.base import DoorState
from peripherals.lock_board.feedback import Feedback, feedback_option
from peripherals.lock_board.options import BadLockOption
from tests.support.lock_bus import FAMILIES, make_bus


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("wiring", list(Feedback))
def test_the_matching_setting_reads_every_door_right(family: str, wiring: Feedback) -> None:
    bus = make_bus(family, {"feedback": wiring.value}, feedback=wiring.value)
    try:
        assert bus.device.door_state(bus.board, 2) is DoorState.CLOSED
        assert bus.device.open_lock(bus.board, 2) is DoorState.OPEN
        states = bus.device.door_states(bus.board)
        assert states[2] is DoorState.OPEN
        assert states[1] is DoorState.CLOSED
        bus.sim.close_door(bus.board, 2)
        assert bus.device.door_state(bus.board, 2) is DoorState.CLOSED
    finally:
        bus.close()


@pytest.mark.parametrize("family", FAMILIES)
def test_the_wrong_setting_reads_an_opened_door_as_jammed(family: str) -> None:
    bus = make_bus(family, {"feedback": "unlocked-short"})
    try:
        assert bus.device.door_state(bus.board, 3) is DoorState.OPEN  # really shut
        with pytest.raises(MediaError) as caught:
            bus.device.open_lock(bus.board, 3)
        assert caught.value.code == "lock.jammed"
        assert bus.sim.door_open(bus.board, 3)
    finally:
        bus.close()


def test_a_wkly_push_is_read_through_the_wiring() -> None:
    bus = make_bus("wkly", {"feedback": "unlocked-short"}, feedback="unlocked-short")
    try:
        bus.sim.open_door(bus.board, 5)
        event = bus.next_event()
        assert (event.type.value, event.data["lock"]) == ("door_opened", 5)
    finally:
        bus.close()


@pytest.mark.parametrize("value", ["", "inverted", "LOCKED_SHORT", 1])
def test_an_unknown_wiring_is_refused_naming_both(value: object) -> None:
    with pytest.raises(BadLockOption, match='"locked-short" or "unlocked-short"'):
        feedback_option(value)
