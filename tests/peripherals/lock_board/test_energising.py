"""An open is never repeated blindly: after a lost or late reply the door is read first."""

from __future__ import annotations

import pytest

from peripherals.errors import DeviceTimeout
from peripherals.lock_board import protocol_8a as p8a
from peripherals.lock_board import protocol_kerong as pk
from peripherals.lock_board import protocol_wkly as pw
from peripherals.lock_board.base import DoorState, Energising
from tests.support.lock_bus import FAMILIES, make_bus

LOST_REPLY = 0.3
"""Seconds an open's reply is waited for where the test loses it (a real board's 1 s otherwise;
the replies that do come here come at once)."""


def open_command(family: str, board: int, lock: int) -> bytes:
    if family == "8a":
        return p8a.open_lock(board, lock)
    if family == "wkly":
        return pw.open_one(board, lock)
    return pk.open_lock(board, lock - 1)


def test_wkly_answering_an_open_late_is_energised_once_with_default_timeouts() -> None:
    # LockDemo's boards answer an open 350-450 ms after it; a 0.3 s attempt sent it again.
    made = make_bus("wkly", {"boards": [0], "open_reply_delay": (0.35, 0.45)}, fast=False)
    try:
        assert made.device.open_lock(0, 1) is DoorState.OPEN
        assert made.sim.opened == [(0, 1)]
        assert made.sim.overlaps == 0  # nothing was sent while the board was still answering
    finally:
        made.close()


def test_a_reply_later_than_the_attempt_is_looked_after_not_resent() -> None:
    made = make_bus("wkly", {"open_reply_delay": 0.3}, open_reply_timeout=0.1, timeout=0.5)
    try:
        assert made.device.open_lock(made.board, 2) is DoorState.OPEN
        assert made.sim.opened == [(made.board, 2)]
        assert made.sim.frames[1] == pw.query_one(made.board, 2)
    finally:
        made.close()


@pytest.mark.parametrize("family", FAMILIES)
def test_a_lost_open_reply_is_followed_by_a_look_not_a_second_open(family: str) -> None:
    made = make_bus(family, open_reply_timeout=LOST_REPLY)
    try:
        made.sim.fail("silent", times=1)  # the board fires the lock; its reply is lost
        assert made.device.open_lock(made.board, 3) is DoorState.OPEN
        assert made.sim.opened == [(made.board, 3)]
        assert made.sim.frames[0] == open_command(family, made.board, 3)
        assert open_command(family, made.board, 3) not in made.sim.frames[1:]
    finally:
        made.close()


@pytest.mark.parametrize("family", FAMILIES)
def test_an_open_the_board_never_heard_is_sent_again_once_the_door_reads_closed(
    family: str,
) -> None:
    made = make_bus(family, open_reply_timeout=LOST_REPLY)
    try:
        made.sim.fail("deaf", times=1)  # the command is lost on the bus: nothing fires
        assert made.device.open_lock(made.board, 3) is DoorState.OPEN
        assert made.sim.opened == [(made.board, 3)]
        command = open_command(family, made.board, 3)
        assert made.sim.frames[0] == command and made.sim.frames[2] == command
        assert made.sim.frames[1] != command  # the look in between
    finally:
        made.close()


@pytest.mark.parametrize("family", FAMILIES)
def test_every_energising_is_reported_before_the_command_goes_out(family: str) -> None:
    made = make_bus(family, open_reply_timeout=LOST_REPLY)
    seen: list[tuple[Energising, int]] = []
    try:
        made.sim.fail("deaf", times=1)
        made.device.open_lock(
            made.board, 3, on_energise=lambda e: seen.append((e, len(made.sim.frames)))
        )
    finally:
        made.close()
    board = made.board
    assert seen == [
        (Energising(board, 3, attempt=1, after=None), 0),
        (Energising(board, 3, attempt=2, after="lock.no_reply"), 2),
    ]


@pytest.mark.parametrize("family", FAMILIES)
def test_a_board_silent_to_the_look_too_is_not_sent_the_open_again(family: str) -> None:
    made = make_bus(family, open_reply_timeout=LOST_REPLY)
    try:
        made.sim.fail("silent")
        with pytest.raises(DeviceTimeout) as caught:
            made.device.open_lock(made.board, 3)
        assert caught.value.code == "lock.no_reply"
        assert made.sim.opened == [(made.board, 3)]
    finally:
        made.close()
