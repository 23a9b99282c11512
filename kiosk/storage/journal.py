"""The electronic journal: an append-only record of sessions and step outcomes.

`record` never touches the disk: it masks the entry (while the session's personal values are
still known) and queues it; a writer thread commits everything queued so far in one transaction
(in practice one per step), so the engine's event loop, which is the touch screen's, never waits
for an fsync. `flush` waits until what was recorded is on disk; the queries flush first, and
closing the database flushes. A power cut can lose the entries of the last moment (those still
queued or in the transaction being written), never an outbox submission (`kiosk.storage.outbox`
commits each one itself before sending it).
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sqlite3
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

import msgspec

from kiosk.clock import SystemClock
from kiosk.flow.services import Clock
from kiosk.privacy.masking import scrub
from kiosk.privacy.personal import conceal, concealer, plain_names
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


class JournalEntry(msgspec.Struct, frozen=True):
    """One journal line as the service menu shows it."""

    id: int
    time: float
    terminal: str
    session: str
    flow: str
    step: str
    event: str
    detail: dict[str, Any]


def scrub_value(value: Any, hide: Callable[[str], str] = conceal) -> Any:
    """`value` with every string, key and number holding a live session's personal value (in any
    format) or an ID or phone pattern masked (`hide`: how a text is masked)."""
    if isinstance(value, str):
        return hide(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        text = str(value)
        masked = hide(text)
        return value if masked == text else masked
    if isinstance(value, dict):
        return {hide(str(k)): scrub_value(v, hide) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [scrub_value(v, hide) for v in value]
    return hide(str(value))


def _texts(value: Any, into: list[str]) -> list[str]:
    """Every text `scrub_value` would mask in `value`, appended to `into`."""
    if isinstance(value, str):
        into.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            into.append(str(key))
            _texts(item, into)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _texts(item, into)
    elif not (isinstance(value, bool) or value is None):
        into.append(str(value))
    return into


_INSERT = (
    "INSERT INTO journal (time, terminal, session, flow, step, event, detail)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
MAX_QUEUED = 10_000
"""Entries waiting for the disk before `record` waits too (a stalled disk must not eat memory)."""
IDLE_SECONDS = 0.05
"""How long the writer thread waits for more entries before it ends (it starts again on use)."""


class SqliteJournal:
    """The `Journal` over SQLite: append and query only; the table refuses UPDATE and DELETE."""

    def __init__(self, db: Database, terminal: str, clock: Clock | None = None) -> None:
        self._db = db
        self._terminal = terminal
        self._clock = clock or SystemClock()
        db.migrate(COMPONENT, MIGRATIONS)
        self._queue: deque[tuple[Any, ...]] = deque()
        self._changed = threading.Condition()
        self._recorded = 0
        """Entries recorded so far (each gets the next number)."""
        self._written = 0
        """Entries committed so far (or given up on after a storage error)."""
        self._writer: threading.Thread | None = None
        self._closing = False
        db.before_close(self.drain)

    def record(
        self,
        session: str,
        flow: str,
        step: str,
        event: str,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append one entry, masking any ID or phone number pattern in it; written to disk by
        the journal's writer thread (`flush` waits for it)."""
        # the live values are tested once against all the entry's texts: most hold none of them
        names = (self._terminal, flow, step, event)
        texts = _texts(detail, []) if detail else []
        kept = _SESSION_ID.fullmatch(session) is not None  # a session's own id is never masked
        if not kept:
            texts.append(session)
        plain = plain_names(names)  # identifiers, as nearly always: their probe is kept
        if not plain:
            texts.extend(names)
        hide = concealer(texts, names if plain else ())
        if detail:
            text = json.dumps(scrub_value(detail, hide), ensure_ascii=False, sort_keys=True)
        else:
            text = "{}"  # most entries: a step entered or answered
        if hide is scrub and plain:
            terminal, flow, step, event = _scrubbed(names)
        else:
            terminal, flow, step, event = (hide(name) for name in names)
        row = (
            self._clock.now(),
            terminal,
            session if kept else hide(session),
            flow,
            step,
            event,
            text,
        )
        with self._changed:
            while len(self._queue) >= MAX_QUEUED and self._writer is not None:
                self._changed.wait(1.0)
            self._queue.append(row)
            self._recorded += 1
            if self._writer is None:
                self._writer = threading.Thread(
                    target=self._write, name="journal-writer", daemon=True
                )
                self._writer.start()
            else:
                self._changed.notify_all()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every entry recorded so far is committed; False if that took too long."""
        with self._changed:
            target = self._recorded
            return self._changed.wait_for(lambda: self._written >= target, timeout=timeout)

    def drain(self) -> None:
        """Write what is queued and end the writer thread now, not after its idle wait (before
        the database closes, or to see the process at rest); a later entry starts one again."""
        self.flush()
        with self._changed:
            self._closing = True
            self._changed.notify_all()
            writer = self._writer
        if writer is not None and writer is not threading.current_thread():
            writer.join(5.0)
        with self._changed:
            self._closing = False

    def _write(self) -> None:
        """The writer thread: commit what is queued, one transaction a batch, until idle."""
        while True:
            with self._changed:
                if not self._queue and not self._closing:
                    self._changed.wait(IDLE_SECONDS)
                if not self._queue:
                    self._writer = None
                    self._changed.notify_all()
                    return
                batch = list(self._queue)
                self._queue.clear()
            try:
                # shared with any outbox commit waiting meanwhile (one fsync for both)
                self._db.committed(functools.partial(_insert, rows=batch))
            except Exception:  # a broken disk must not stop the kiosk: said loudly instead
                log.exception("journal: %d entries could not be written", len(batch))
            with self._changed:
                self._written += len(batch)
                self._changed.notify_all()

    def recent(self, limit: int = 50) -> list[JournalEntry]:
        """The newest entries, newest first."""
        self.flush()
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM journal ORDER BY id DESC LIMIT ?", (max(limit, 0),)
            ).fetchall()
        return [_entry(row) for row in rows]

    def by_session(self, session: str) -> list[JournalEntry]:
        """Every entry of one session, oldest first."""
        self.flush()
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM journal WHERE session = ? ORDER BY id", (session,)
            ).fetchall()
        return [_entry(row) for row in rows]

    def since(self, after: int, limit: int = 10000) -> list[JournalEntry]:
        """Entries newer than id `after`, oldest first (for the heartbeat's counts), including
        every entry recorded before the call."""
        self.flush()
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
        self.flush()
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM journal WHERE time >= ? AND time < ? ORDER BY id LIMIT ?",
                (start, end, max(limit, 0)),
            ).fetchall()
        return [_entry(row) for row in rows]

    def count(self) -> int:
        """How many entries the journal holds."""
        self.flush()
        with self._db.reading() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0])


@functools.lru_cache(maxsize=1024)
def _scrubbed(names: tuple[str, ...]) -> tuple[str, ...]:
    """Plain names (a terminal, flow, step and event) scrubbed, once for each set of them."""
    return tuple(scrub(name) for name in names)


def _insert(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    conn.executemany(_INSERT, rows)


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
