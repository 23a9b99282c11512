"""The PIN lock-out grows with each wrong PIN, survives a restart, and a right PIN clears it."""

from __future__ import annotations

from pathlib import Path

from kiosk.clock import ManualClock
from kiosk.maintenance.lockout import COMPONENT, MAX_LOCKOUT, MIGRATIONS, LockOut
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


def tables(db: Database) -> set[str]:
    with db.reading() as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {row["name"] for row in rows}


def test_a_kiosk_with_the_old_out_of_service_table_loses_it_and_keeps_its_lockout(
    tmp_path: Path,
) -> None:
    clock = ManualClock(1_800_000_000)
    db = Database.in_dir(tmp_path)
    try:  # a kiosk on version 1: both tables, a lock-out under way
        db.migrate(COMPONENT, MIGRATIONS[:1])
        with db.transaction() as conn:
            conn.execute("INSERT INTO maintenance_lockout VALUES (1, 3, ?)", (clock.now() + 30,))
        assert "maintenance_out_of_service" in tables(db)
        lockout = LockOut(db, clock)
        assert "maintenance_out_of_service" not in tables(db)
        assert db.version(COMPONENT) == len(MIGRATIONS) and lockout.remaining() == 30
    finally:
        db.close()
    fresh = Database.in_dir(tmp_path / "new")
    try:
        LockOut(fresh, clock)
        assert "maintenance_out_of_service" not in tables(fresh)
    finally:
        fresh.close()
