"""The electronic journal: an append-only record of sessions and step outcomes."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from kiosk.clock import SystemClock
from kiosk.flow.services import Clock
from kiosk.privacy.personal import conceal
from kiosk.storage.database import Database

log = logging.getLogger(__name__)

COMPONENT = "journal"

MIGRATIONS: list[tuple[str, ...]] = [
    (
        """CREATE TABLE journal (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time REAL NOT NULL,
            terminal TEXT NOT NULL,
            session TEXT NOT NULL,
            flow TEXT NOT NULL,
            step TEXT NOT NULL,
            event TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX journal_session ON journal (session, id)",
        """CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
           BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END""",
        """CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
           BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END""",
    ),
]


_SESSION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
"""A session's own id (a random UUID): kept as it is, since masking a personal value's digits
that happen to occur in it would lose the session's entries."""


@dataclass(frozen=True)
class JournalEntry:
    """One journal line as the service menu shows it."""

    id: int
    time: float
    terminal: str
    session: str
    flow: str
    step: str
    event: str
    detail: dict[str, Any]


def scrub_value(value: Any) -> Any:
    """`value` with every string, key and number holding a live session's personal value (in any
    format) or an ID or phone pattern masked."""
    if isinstance(value, str):
        return conceal(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        text = str(value)
        masked = conceal(text)
        return value if masked == text else masked
    if isinstance(value, dict):
        return {conceal(str(k)): scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [scrub_value(v) for v in value]
    return conceal(str(value))


class SqliteJournal:
    """The `Journal` over SQLite: append and query only; the table refuses UPDATE and DELETE."""

    def __init__(self, db: Database, terminal: str, clock: Clock | None = None) -> None:
        self._db = db
        self._terminal = terminal
        self._clock = clock or SystemClock()
        db.migrate(COMPONENT, MIGRATIONS)

    def record(
        self,
        session: str,
        flow: str,
        step: str,
        event: str,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append one entry, masking any ID or phone number pattern in it."""
        text = json.dumps(scrub_value(detail or {}), ensure_ascii=False, sort_keys=True)
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO journal (time, terminal, session, flow, step, event, detail)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    self._clock.now(),
                    conceal(self._terminal),
                    session if _SESSION_ID.fullmatch(session) else conceal(session),
                    conceal(flow),
                    conceal(step),
                    conceal(event),
                    text,
                ),
            )

    def recent(self, limit: int = 50) -> list[JournalEntry]:
        """The newest entries, newest first."""
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM journal ORDER BY id DESC LIMIT ?", (max(limit, 0),)
            ).fetchall()
        return [_entry(row) for row in rows]

    def by_session(self, session: str) -> list[JournalEntry]:
        """Every entry of one session, oldest first."""
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM journal WHERE session = ? ORDER BY id", (session,)
            ).fetchall()
        return [_entry(row) for row in rows]

    def since(self, after: int, limit: int = 10000) -> list[JournalEntry]:
        """Entries newer than id `after`, oldest first (for the heartbeat's counts)."""
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM journal WHERE id > ? ORDER BY id LIMIT ?", (after, max(limit, 0))
            ).fetchall()
        return [_entry(row) for row in rows]

    def usage(self) -> dict[str, int]:
        """How many sessions started each flow: the menu puts the most used first."""
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT flow, COUNT(*) FROM journal WHERE event = 'started' AND step = ''"
                " GROUP BY flow"
            ).fetchall()
        return {str(row[0]): int(row[1]) for row in rows}

    def between(self, start: float, end: float, limit: int = 10_000) -> list[JournalEntry]:
        """Entries with `start <= time < end`, oldest first (a day of the journal)."""
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM journal WHERE time >= ? AND time < ? ORDER BY id LIMIT ?",
                (start, end, max(limit, 0)),
            ).fetchall()
        return [_entry(row) for row in rows]

    def count(self) -> int:
        """How many entries the journal holds."""
        with self._db.reading() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0])


def _entry(row: Any) -> JournalEntry:
    return JournalEntry(
        id=row["id"],
        time=row["time"],
        terminal=row["terminal"],
        session=row["session"],
        flow=row["flow"],
        step=row["step"],
        event=row["event"],
        detail=json.loads(row["detail"]),
    )
