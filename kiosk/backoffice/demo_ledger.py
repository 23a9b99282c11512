"""What the demo back office remembers: each idempotency key's first reply, the submissions it
took, and its ticket counters; in memory, or in an SQLite file that outlives a restart (there,
submissions are kept with ID and phone numbers masked)."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import msgspec

from kiosk.privacy.masking import scrub

KEPT_IN_MEMORY = 10_000
"""Submissions and keys an in-memory ledger keeps (the oldest are forgotten: a soak stays
flat)."""

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS replies ("
    " key TEXT PRIMARY KEY, digest TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS received ("
    " id INTEGER PRIMARY KEY, method TEXT NOT NULL, path TEXT NOT NULL, key TEXT,"
    " body TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
)


class Received(msgspec.Struct, frozen=True):
    """One submission the demo back office recorded (once per idempotency key)."""

    method: str
    path: str
    key: str | None
    body: Any


class Ledger:
    """The demo back office's memory; `path=None` keeps it in memory only."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.closed = False
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            ":memory:" if path is None else str(path),
            isolation_level=None,
            check_same_thread=False,
        )
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
        for statement in _SCHEMA:
            self._db.execute(statement)

    def reply_for(self, key: str) -> tuple[str, int, Any] | None:
        """(body digest, status, body) of the first reply given for `key`, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT digest, status, body FROM replies WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else (row[0], row[1], json.loads(row[2]))

    def record(
        self, key: str | None, digest: str, status: int, reply: Any, taken: Received | None
    ) -> None:
        """Remember a reply (under its key) and the submission it took, in one transaction."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if key is not None:
                    self._db.execute(
                        "INSERT OR IGNORE INTO replies VALUES (?, ?, ?, ?)",
                        (key, digest, status, json.dumps(reply, ensure_ascii=False)),
                    )
                if taken is not None:
                    body = json.dumps(taken.body, ensure_ascii=False)
                    if self.path is not None:
                        body = scrub(body)  # invented, yet no full ID or phone number on disk
                    self._db.execute(
                        "INSERT INTO received (method, path, key, body) VALUES (?, ?, ?, ?)",
                        (taken.method, taken.path, taken.key, body),
                    )
                    if self.path is None:
                        self._db.execute(
                            "DELETE FROM received WHERE id <= (SELECT MAX(id) FROM received) - ?",
                            (KEPT_IN_MEMORY,),
                        )
                if key is not None and self.path is None:
                    self._db.execute(
                        "DELETE FROM replies WHERE rowid <= (SELECT MAX(rowid) FROM replies) - ?",
                        (KEPT_IN_MEMORY,),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def received(self, path: str | None = None) -> list[Received]:
        """Submissions taken, oldest first, optionally for one path."""
        with self._lock:
            rows = self._db.execute(
                "SELECT method, path, key, body FROM received"
                " WHERE ? IS NULL OR path = ? ORDER BY id",
                (path, path),
            ).fetchall()
        return [Received(m, p, k, json.loads(b)) for m, p, k, b in rows]

    def next_number(self, name: str) -> int:
        """The next number of a counter (tickets, staff calls): 1, 2, 3... across restarts."""
        with self._lock:
            self._db.execute(
                "INSERT INTO counters VALUES (?, 1)"
                " ON CONFLICT (name) DO UPDATE SET value = value + 1",
                (name,),
            )
            row = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the file (or drop the memory)."""
        with self._lock:
            self._db.close()
            self.closed = True
