"""Every family's real driver against its simulator over a real pty."""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import serial

from peripherals import registry
from peripherals.errors import (
    DeviceTimeout,
    DeviceUnavailable,
    MediaError,
    PeripheralError,
    ProtocolError,
)
from peripherals.events import EventType
from peripherals.lock_board import protocol_8a as p8a
from peripherals.lock_board import protocol_kerong as pk
from peripherals.lock_board import protocol_wkly as pw
from peripherals.lock_board.base import DoorState, LockBoard, LockBoardFeature
from peripherals.lock_board.simulator import LockBusSimulator
from peripherals.status import State
from tests.support.lock_bus import DRIVER, FAST, Bus, make_bus


@pytest.fixture(params=["8a", "wkly", "kerong"])
def bus(request: pytest.FixtureRequest) -> Iterator[Bus]:
    made = make_bus(request.param)
    yield made
    made.device.close()
    made.sim.stop()


def open_command(family: str, board: int, lock: int) -> bytes:
    if family == "8a":
        return p8a.open_lock(board, lock)
    if family == "wkly":
        return pw.open_one(board, lock)
    return pk.open_lock(board, lock - 1)


def test_opening_a_lock_opens_its_door(bus: Bus) -> None:
    assert bus.device.open_lock(bus.board, 3) is DoorState.OPEN
    assert bus.sim.door_open(bus.board, 3)
    assert bus.sim.frames[0] == open_command(bus.sim.family, bus.board, 3)
    assert bus.sim.opened == [(bus.board, 3)]


def test_one_and_all_door_states_are_read(bus: Bus) -> None:
    bus.sim.open_door(bus.board, 2)
    assert bus.device.door_state(bus.board, 2) is DoorState.OPEN
    assert bus.device.door_state(bus.board, 1) is DoorState.CLOSED
    states = bus.device.door_states(bus.board)
    assert len(states) == bus.device.locks_per_board
    assert [lock for lock, s in states.items() if s is DoorState.OPEN] == [2]


def test_door_events_follow_the_door(bus: Bus) -> None:
    bus.device.open_lock(bus.board, 4)
    opened = bus.next_event()
    assert (opened.type, opened.data) == (EventType.DOOR_OPENED, {"board": bus.board, "lock": 4})
    bus.sim.close_door(bus.board, 4)
    if not bus.device.capabilities & LockBoardFeature.UNSOLICITED:
        assert bus.device.door_state(bus.board, 4) is DoorState.CLOSED
    closed = bus.next_event()
    assert (closed.type, closed.data) == (EventType.DOOR_CLOSED, {"board": bus.board, "lock": 4})
    with pytest.raises(queue.Empty):
        bus.events.get(timeout=0.05)


def test_jammed_door_is_reported_as_jammed(bus: Bus) -> None:
    bus.sim.jam(bus.board, 5)
    with pytest.raises(MediaError) as caught:
        bus.device.open_lock(bus.board, 5, timeout=0.1)
    assert caught.value.code == "lock.jammed"
    assert (bus.board, 5) in bus.sim.opened
    assert not bus.sim.door_open(bus.board, 5)


def test_silent_board_times_out_after_retries_within_the_bound(bus: Bus) -> None:
    bus.sim.fail("silent")
    started = time.monotonic()
    with pytest.raises(DeviceTimeout) as caught:
        bus.device.door_state(bus.board, 1)
    elapsed = time.monotonic() - started
    assert caught.value.code == "lock.no_reply"
    assert len(bus.sim.frames) == 3  # one try and two retries
    assert elapsed < 3 * FAST["timeout"] + 1.0


@pytest.mark.parametrize("fault", ["bad_checksum", "garbage"])
def test_garbled_replies_are_retried_then_reported(bus: Bus, fault: str) -> None:
    bus.sim.fail(fault)
    with pytest.raises(ProtocolError) as caught:
        bus.device.door_states(bus.board)
    assert caught.value.code in {"lock.bad_checksum", "lock.garbled"}
    assert len(bus.sim.frames) == 3
    bus.sim.fail(None)
    assert bus.device.door_state(bus.board, 1) is DoorState.CLOSED


@pytest.mark.parametrize("fault", ["bad_checksum", "garbage", "silent", "wrong_address"])
def test_one_bad_reply_is_recovered_by_a_retry(bus: Bus, fault: str) -> None:
    bus.sim.fail(fault, times=1)
    assert bus.device.door_state(bus.board, 1) is DoorState.CLOSED
    assert len(bus.sim.frames) == 2


def test_reply_from_the_wrong_board_is_rejected(bus: Bus) -> None:
    bus.sim.fail("wrong_address")
    with pytest.raises(ProtocolError) as caught:
        bus.device.open_lock(bus.board, 1)
    assert caught.value.code == "lock.wrong_address"
    assert "expected board" in str(caught.value)


def test_unconfigured_board_or_lock_is_refused_without_touching_the_bus(bus: Bus) -> None:
    with pytest.raises(PeripheralError) as board:
        bus.device.open_lock(9, 1)
    with pytest.raises(PeripheralError) as lock:
        bus.device.open_lock(bus.board, 99)
    assert (board.value.code, lock.value.code) == ("lock.unknown_board", "lock.unknown_lock")
    assert bus.sim.frames == []


def test_configured_board_missing_from_the_bus_times_out(bus: Bus) -> None:
    bus.device.close()
    missing = bus.sim.boards[-1] + 1
    device = registry.create(
        "lock_board",
        DRIVER[bus.sim.family],
        {**FAST, "retries": 0, "boards": [missing], "port": bus.sim.port},
    )
    with device:
        assert isinstance(device, LockBoard)
        with pytest.raises(DeviceTimeout):
            device.door_state(missing, 1)
        health = device.health()
    assert (health.state, health.code) == (State.OFFLINE, "lock.board_silent")


def test_health_is_online_when_every_board_answers(bus: Bus) -> None:
    assert bus.device.health().state is State.ONLINE


def test_two_threads_never_interleave_commands_on_the_bus() -> None:
    made = make_bus(
        "8a",
        {"boards": 2, "wire_time": True, "coil_time": 0.01},
        coil_time=0.03,
        open_timeout=1.0,
    )
    errors: list[BaseException] = []

    def open_many(board: int, locks: list[int]) -> None:
        try:
            for lock in locks:
                made.device.open_lock(board, lock)
                made.device.door_states(board)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=open_many, args=(1, [1, 2, 3, 4])),
        threading.Thread(target=open_many, args=(1, [5, 6, 7, 8])),
        threading.Thread(target=open_many, args=(2, [1, 2, 3, 4])),
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    finally:
        made.device.close()
        made.sim.stop()
    assert not errors
    sim = made.sim
    assert len(sim.frames) == 24 and sim.replies == 24
    assert (sim.overlaps, sim.bad_frames, sim.noise_bytes) == (0, 0, 0)
    assert sim.coil_overlaps == 0
    assert sorted(sim.opened) == sorted(
        [(1, n) for n in range(1, 9)] + [(2, n) for n in range(1, 5)]
    )


def test_simulator_notices_a_frame_sent_before_the_reply() -> None:
    with LockBusSimulator("8a", wire_time=True) as sim:
        with serial.Serial(sim.port, 9600, timeout=1) as port:
            port.write(p8a.query_lock(1, 1) + p8a.query_lock(1, 2))
            assert len(port.read(10)) == 10
        assert sim.overlaps == 1


def test_bitmap_layout_is_configured_per_board_model() -> None:
    model = {"order": "high_first", "open_bit": 0}
    made = make_bus(
        "8a",
        {"boards": 2, "board_bitmaps": {2: model}},
        board_bitmaps={"2": model},
    )
    try:
        made.sim.open_door(1, 1)
        made.sim.open_door(2, 9)
        assert [n for n, s in made.device.door_states(1).items() if s is DoorState.OPEN] == [1]
        assert [n for n, s in made.device.door_states(2).items() if s is DoorState.OPEN] == [9]
    finally:
        made.device.close()
        made.sim.stop()


def test_wrong_bitmap_polarity_shows_as_wrong_doors() -> None:
    made = make_bus("8a", {"boards": 1, "bitmap_open_bit": 0})
    try:
        states = made.device.door_states(1)
        assert all(s is DoorState.OPEN for s in states.values())  # the reason it's an option
    finally:
        made.device.close()
        made.sim.stop()


def test_wkly_push_between_replies_is_not_taken_for_a_reply() -> None:
    made = make_bus("wkly")
    try:
        made.device.open_lock(1, 3)
        assert made.next_event().type is EventType.DOOR_OPENED
        for lock in (1, 2, 4, 5):
            made.sim.open_door(1, lock)
            assert made.device.door_state(1, 6) is DoorState.CLOSED
        seen = {(e.type, e.data["lock"]) for e in (made.next_event() for _ in range(4))}
        assert seen == {(EventType.DOOR_OPENED, lock) for lock in (1, 2, 4, 5)}
    finally:
        made.device.close()
        made.sim.stop()


def test_watching_reports_a_closed_door_without_being_asked() -> None:
    made = make_bus("kerong", watch_interval=0.02)
    try:
        made.device.open_lock(0, 2)
        assert made.next_event().type is EventType.DOOR_OPENED
        made.sim.close_door(0, 2)
        event = made.next_event()
        assert (event.type, event.data) == (EventType.DOOR_CLOSED, {"board": 0, "lock": 2})
    finally:
        made.device.close()
        made.sim.stop()


def test_missing_or_absent_port_is_a_clear_error() -> None:
    device = registry.create("lock_board", "lockboard-8a", {})
    with pytest.raises(DeviceUnavailable, match="port"):
        device.open()
    absent = registry.create("lock_board", "lockboard-kerong", {"port": "/dev/no-such-tty"})
    with pytest.raises(DeviceUnavailable, match="no-such-tty"):
        absent.open()


@pytest.mark.parametrize(
    "options",
    [{"boards": 0}, {"boards": [1, 1]}, {"locks_per_board": 0}, {"bitmap_order": "sideways"}],
)
def test_bad_options_are_refused_at_creation(options: dict[str, Any]) -> None:
    with pytest.raises(DeviceUnavailable):
        registry.create("lock_board", "lockboard-8a", {"port": os.devnull, **options})
