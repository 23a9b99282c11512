"""Wrong pickup codes and courier sign-ins, limited per terminal with a growing lock-out."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.flow.services import Clock, Journal
from kiosk.storage.database import Database

WINDOW = 60.0
"""Seconds over which wrong attempts are counted."""


@dataclass(frozen=True)
class Limit:
    """How many wrong attempts a scope takes per minute, and its first lock-out."""

    per_minute: int
    lockout: float


class LockedOut(Exception):
    """Too many wrong attempts: `seconds` until the next one is taken."""

    def __init__(self, scope: str, seconds: float) -> None:
        super().__init__(f"{scope} locked out for {seconds:.0f} s")
        self.scope = scope
        self.seconds = seconds


class Attempts:
    """Counts attempts per scope (`pickup`, `courier`) in the locker's tables; the tables
    must exist (the inventory migrates them)."""

    def __init__(self, db: Database, clock: Clock, journal: Journal) -> None:
        self.db = db
        self.clock = clock
        self.journal = journal

    def check(self, scope: str) -> None:
        """Raise `LockedOut` while the scope is locked out."""
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT until FROM locker_lockouts WHERE scope = ?", (scope,)
            ).fetchone()
        if row is not None and row["until"] > self.clock.now():
            raise LockedOut(scope, row["until"] - self.clock.now())

    def record(self, scope: str, ok: bool, limit: Limit, tag: str = "") -> None:
        """Journal one attempt (`tag`: a keyed digest, never the code) and lock the scope out
        when the wrong ones in the last minute reach the limit; each lock-out doubles."""
        now = self.clock.now()
        locked_for = 0.0
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO locker_attempts (scope, at, ok) VALUES (?, ?, ?)", (scope, now, ok)
            )
            conn.execute("DELETE FROM locker_attempts WHERE at < ?", (now - 86400,))
            if not ok:
                wrong = conn.execute(
                    "SELECT COUNT(*) FROM locker_attempts WHERE scope = ? AND ok = 0 AND at > ?"
                    " AND at > COALESCE((SELECT until FROM locker_lockouts WHERE scope = ?), 0)",
                    (scope, now - WINDOW, scope),
                ).fetchone()[0]
                if wrong >= limit.per_minute:
                    row = conn.execute(
                        "SELECT count FROM locker_lockouts WHERE scope = ?", (scope,)
                    ).fetchone()
                    count = (row["count"] if row else 0) + 1
                    locked_for = limit.lockout * 2 ** (count - 1)
                    conn.execute(
                        "INSERT INTO locker_lockouts (scope, until, count) VALUES (?, ?, ?)"
                        " ON CONFLICT (scope) DO UPDATE SET until = excluded.until,"
                        " count = excluded.count",
                        (scope, now + locked_for, count),
                    )
        detail: dict[str, object] = {"ok": ok, "tag": tag}
        if locked_for:
            detail["locked_out_for"] = locked_for
        self.journal.record("locker", "locker", scope, "attempt", detail)
