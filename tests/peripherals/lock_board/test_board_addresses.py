"""Board addresses as installed: address 0, counts, lists, ranges, each family's range."""

from __future__ import annotations

import os
from typing import Any

import pytest

from peripherals import registry
from peripherals.lock_board.base import DoorState, LockBoard
from peripherals.lock_board.options import BadLockOption
from tests.support.lock_bus import DRIVER, FAMILIES, make_bus


def create(family: str, **options: Any) -> LockBoard:
    device = registry.create("lock_board", DRIVER[family], {"port": os.devnull, **options})
    assert isinstance(device, LockBoard)
    return device


@pytest.mark.parametrize("family", FAMILIES)
def test_a_board_at_address_zero_opens_on_every_family(family: str) -> None:
    made = make_bus(family, {"boards": [0]}, boards=[0])
    try:
        assert made.device.open_lock(0, 1) is DoorState.OPEN
        assert made.sim.opened == [(0, 1)]
    finally:
        made.close()


def test_wkly_boards_are_counted_from_address_zero_where_they_sit() -> None:
    # LockDemo's boards sit at 00; `boards = 1` meant address 1 and never reached them.
    assert create("wkly", boards=1).boards == (0,)
    made = make_bus("wkly", {"boards": 1}, boards=1)
    try:
        assert made.device.open_lock(0, 1) is DoorState.OPEN
    finally:
        made.close()


@pytest.mark.parametrize(
    ("family", "boards", "expected"),
    [
        ("wkly", "0-2", (0, 1, 2)),
        ("wkly", [31], (31,)),
        ("8a", "3-4", (3, 4)),
        ("8a", 2, (1, 2)),
        ("8a", [0], (0,)),
        ("kerong", [0, 5], (0, 5)),
        ("kerong", 2, (0, 1)),
        ("kerong", "2", (0, 1)),  # a count given as text, e.g. by an environment override
    ],
)
def test_boards_are_a_count_a_list_or_a_range(
    family: str, boards: object, expected: tuple[int, ...]
) -> None:
    assert create(family, boards=boards).boards == expected


@pytest.mark.parametrize(
    ("family", "boards", "says"),
    [
        ("wkly", [32], "0-31"),
        ("wkly", "30-33", "0-31"),
        ("8a", [256], "0-255"),
        ("8a", 0, r"boards = \[0\]"),
        ("wkly", [0, 0], "distinct"),
        ("kerong", [], "at least one"),
        ("8a", "many", "FIRST-LAST"),
        ("8a", "3-1", "FIRST-LAST"),
        ("kerong", [True], "whole numbers"),
        ("wkly", 1.5, "FIRST-LAST"),
    ],
)
def test_bad_board_addresses_are_refused_with_the_family_range(
    family: str, boards: object, says: str
) -> None:
    with pytest.raises(BadLockOption, match=says) as caught:
        create(family, boards=boards)
    assert caught.value.code == "lock.bad_option"
    assert isinstance(caught.value, ValueError)  # the CLI reports it as a bad --opt value
