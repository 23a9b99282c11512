"""The PIN lock-out: after `after` wrong PINs in a row, PINs are refused for a while that doubles
with each further wrong one (at most an hour); kept in the database, so a restart does not
reset it. A right PIN (or an allowed maintainer card) clears it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kiosk.flow.services import Clock
from kiosk.storage.database import Database

log = logging.getLogger(__name__)

COMPONENT = "maintenance"
MAX_LOCKOUT = 3600.0

MIGRATIONS: list[tuple[str, ...]] = [
    (
        """CREATE TABLE maintenance_lockout (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            failures INTEGER NOT NULL,
            locked_until REAL NOT NULL
        )""",
        """CREATE TABLE maintenance_out_of_service (
            device TEXT NOT NULL,
            board INTEGER NOT NULL,
            lock INTEGER NOT NULL,
            reason TEXT NOT NULL,
            since REAL NOT NULL,
            PRIMARY KEY (device, board, lock)
        )""",
    ),
    # a compartment's service state lives in the locker's inventory: the old table goes
    ("DROP TABLE IF EXISTS maintenance_out_of_service",),
]
"""The service menu's own tables: the lock-out. Version 1 also made a table of compartments
out of service that version 2 drops (a migration applied is never changed)."""


@dataclass(frozen=True)
class Attempt:
    """What became of a PIN attempt's bookkeeping."""

    failures: int
    """Wrong PINs in a row so far."""
    locked_for: float
    """Seconds the PIN is locked from now (0: not locked)."""


class LockOut:
    """The growing lock-out of wrong PINs, in the kiosk's database."""

    def __init__(self, db: Database, clock: Clock, *, after: int = 3, first: float = 30.0) -> None:
        self._db = db
        self._clock = clock
        self.after = after
        self.first = first
        db.migrate(COMPONENT, MIGRATIONS)

    def _row(self) -> tuple[int, float]:
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT failures, locked_until FROM maintenance_lockout WHERE id = 1"
            ).fetchone()
        return (int(row[0]), float(row[1])) if row else (0, 0.0)

    def remaining(self) -> float:
        """Seconds before a PIN may be tried again (0: now)."""
        return max(self._row()[1] - self._clock.now(), 0.0)

    def failed(self) -> Attempt:
        """A wrong PIN: count it, and lock when there have been too many."""
        failures = self._row()[0] + 1
        locked_for = 0.0
        if failures >= self.after:
            locked_for = min(self.first * 2 ** (failures - self.after), MAX_LOCKOUT)
        until = self._clock.now() + locked_for
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO maintenance_lockout (id, failures, locked_until) VALUES (1, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET failures = excluded.failures,"
                " locked_until = excluded.locked_until",
                (failures, until),
            )
        if locked_for:
            log.warning("maintenance PIN locked for %.0f s after %d wrong", locked_for, failures)
        return Attempt(failures, locked_for)

    def succeeded(self) -> None:
        """A right PIN or an allowed card: the count starts again."""
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM maintenance_lockout")
