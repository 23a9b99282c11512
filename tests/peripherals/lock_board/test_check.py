"""`kiosk devices test lock_board --lock B:L`: the door and whether the feedback wiring fits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from peripherals import registry
from peripherals.errors import PeripheralError
from peripherals.lock_board.base import LockBoard
from peripherals.lock_board.check import PERSONAL_FIELDS, BadCheckParam, run_check


@pytest.fixture
def device() -> Iterator[LockBoard]:
    made = registry.create("lock_board", "simulated", {"family": "wkly"})
    assert isinstance(made, LockBoard)
    with made:
        yield made


def test_check_opens_the_named_lock(device: LockBoard) -> None:
    # Simulated WKLY boards sit at addresses 0 and 1, as they are delivered.
    assert run_check(device, {"lock": "1:5"}) == {
        "board": 1,
        "lock": 5,
        "state": "open",
        "feedback": "locked-short fits (the door read closed, then open)",
    }
    assert PERSONAL_FIELDS == frozenset()


@pytest.mark.parametrize("params", [{}, {"lock": ""}, {"lock": "3"}, {"lock": "a:b"}])
def test_missing_or_malformed_lock_is_a_clear_error(
    device: LockBoard, params: dict[str, str]
) -> None:
    with pytest.raises(BadCheckParam, match="BOARD:LOCK"):
        run_check(device, params)


def test_lock_outside_the_configuration_is_a_peripheral_error(device: LockBoard) -> None:
    with pytest.raises(PeripheralError) as caught:
        run_check(device, {"lock": "7:1"})
    assert caught.value.code == "lock.unknown_board"


def test_a_door_wired_the_other_way_is_named_with_the_setting_that_fits() -> None:
    made = registry.create(
        "lock_board",
        "simulated",
        {"family": "8a", "sim_feedback": "unlocked-short", "open_timeout": 0.2},
    )
    assert isinstance(made, LockBoard)
    with made, pytest.raises(PeripheralError) as caught:
        run_check(made, {"lock": "1:2"})
    assert caught.value.code == "lock.feedback_inverted"
    assert 'set feedback = "unlocked-short"' in str(caught.value)


def test_the_other_wiring_configured_opens_and_fits() -> None:
    options = {"family": "wkly", "feedback": "unlocked-short"}
    made = registry.create("lock_board", "simulated", options)
    assert isinstance(made, LockBoard)
    with made:
        result = run_check(made, {"lock": "0:4"})
    assert result["state"] == "open"
    assert result["feedback"] == "unlocked-short fits (the door read closed, then open)"
