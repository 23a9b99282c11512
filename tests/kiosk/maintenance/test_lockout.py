"""The PIN lock-out grows with each wrong PIN, survives a restart, and a right PIN clears it."""

from __future__ import annotations

from pathlib import Path

from kiosk.clock import ManualClock
from kiosk.maintenance.lockout import MAX_LOCKOUT, LockOut
from kiosk.storage.database import Database


def test_wrong_pins_lock_for_longer_each_time_and_a_restart_keeps_it(tmp_path: Path) -> None:
    clock = ManualClock(1_800_000_000)
    db = Database.in_dir(tmp_path)
    try:
        lockout = LockOut(db, clock, after=3, first=30)
        assert [lockout.failed().locked_for for _ in range(5)] == [0, 0, 30, 60, 120]
        assert lockout.remaining() == 120
        clock.advance(100)
        assert lockout.remaining() == 20
    finally:
        db.close()
    db = Database.in_dir(tmp_path)  # the kiosk restarted
    try:
        lockout = LockOut(db, clock, after=3, first=30)
        assert lockout.remaining() == 20
        assert lockout.failed().failures == 6
        for _ in range(20):
            lockout.failed()
        assert lockout.remaining() == MAX_LOCKOUT
        lockout.succeeded()
        assert lockout.remaining() == 0 and lockout.failed().failures == 1
    finally:
        db.close()
