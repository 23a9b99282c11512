"""The kiosk's one SQLite database: WAL, fully synchronous, versioned schema per component."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import msgspec

log = logging.getLogger(__name__)

FILE_NAME = "kiosk.sqlite3"
"""The database file's name inside the data directory."""

Migration = Sequence[str]
"""One schema step: SQL statements run together in one transaction."""

T = TypeVar("T")

ERASE_DELAY = 0.25
"""Seconds an erased value may stay in the WAL's old frames before a checkpoint ends them."""
ERASES_PER_CHECKPOINT = 64
"""Erasures that are checkpointed at once rather than after `ERASE_DELAY`."""


class _Work(msgspec.Struct):
    """One caller's part of a group commit."""

    run: Callable[[sqlite3.Connection], Any]
    forget: bool
    durable: bool
    later: bool = False
    """Nobody waits for it (`Database.later`): a failure is logged."""
    done: bool = False
    result: Any = None
    error: BaseException | None = None


class StorageError(Exception):
    """The database cannot be opened or used; the message is one line."""


class Database:
    """One SQLite connection shared by all threads behind a lock, opened on first use.

    A single connection keeps writes strictly ordered and lets a claim (an UPDATE ... WHERE)
    be atomic across threads; the kiosk's write rate is far below what this can serve.
    Each component (journal, outbox, locker, ...) keeps its own schema version and
    migrations, so adding a component never touches this file.
    """

    def __init__(self, path: Path, *, erase_delay: float = ERASE_DELAY) -> None:
        self.path = path
        self._erase_delay = erase_delay
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        self._before_close: list[Callable[[], object]] = []
        self._queued: list[_Work] = []
        self._deferred: list[_Work] = []
        """Works committed with the next commit, or by the tidying timer (`later`)."""
        self._queue_lock = threading.Lock()
        self._erase_lock = threading.Lock()
        self._erasures = 0
        """Committed erasures whose old WAL frames no checkpoint has ended yet."""
        self._eraser: threading.Timer | None = None
        self._closing = False

    @classmethod
    def in_dir(cls, data_dir: Path, *, erase_delay: float = ERASE_DELAY) -> Database:
        """The database in a data directory (created on first use)."""
        return cls(data_dir / FILE_NAME, erase_delay=erase_delay)

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise StorageError(f"{self.path}: database is closed")
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False, timeout=10.0
                )
                conn.row_factory = sqlite3.Row
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute("PRAGMA foreign_keys=ON")
                # Delivered payloads are personal data: overwrite them on disk, not just unlink.
                conn.execute("PRAGMA secure_delete=ON")
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_versions ("
                    " component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
                )
                # a kill after an erase leaves the erased rows in old WAL frames: fold them in
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except (OSError, sqlite3.Error) as exc:
                raise StorageError(f"{self.path}: cannot open database: {exc}") from exc
            if str(mode).lower() != "wal":
                log.warning("%s: journal mode is %s, not WAL", self.path, mode)
            self._conn = conn
        return self._conn

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE), committed on success, rolled back on error.

        `durable=False` commits without waiting for the disk (no fsync): the commit survives
        the process being killed and is made durable by the next durable commit, but a power
        cut may lose it, together with everything committed after it and never before it (the
        WAL keeps commits in order). Only for a write whose loss a restart can tell from the
        last durable one (a confirmation of something already recorded)."""
        with self._lock:
            if self._deferred:
                self._commit_deferred()
            conn = self._connection()
            if not durable:
                conn.execute("PRAGMA synchronous=NORMAL")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                if not durable:
                    conn.execute("PRAGMA synchronous=FULL")

    def committed(
        self,
        work: Callable[[sqlite3.Connection], T],
        *,
        forget: bool = False,
        durable: bool = True,
    ) -> T:
        """Run `work` in a write transaction and return once it is committed; raise what
        `work` raised. `forget`: it erases data, whose old WAL frames a checkpoint ends within
        a moment (`forget_soon`). `durable=False`: committed without waiting for
        the disk, as `transaction(durable=False)`, unless it shares a durable commit.

        Callers from several threads share one commit (group commit): whoever holds the
        database commits, together, everything queued while it waited, so ten submissions
        arriving together cost one fsync rather than ten. One that fails is undone alone: the
        batch is then run again with each work in a savepoint of its own (so a work may run
        twice: it must only write through the connection).
        """
        mine = _Work(work, forget, durable)
        with self._queue_lock:
            self._queued.append(mine)
        with self._lock:
            if not mine.done:  # nobody took it while this thread waited for the database
                with self._queue_lock:
                    batch, self._queued = self._deferred + self._queued, []
                    self._deferred = []
                self._commit(batch)
        if mine.error is not None:
            raise mine.error
        result: T = mine.result
        return result

    def _commit(self, batch: list[_Work]) -> None:
        durable = any(work.durable for work in batch)
        try:
            conn = self._connection()
            if not durable:
                conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("BEGIN IMMEDIATE")
        except BaseException as exc:
            self._synchronous(durable)
            for work in batch:
                work.error, work.done = exc, True
            return
        try:
            if len(batch) == 1:  # alone: the transaction is its savepoint
                (work,) = batch
                try:
                    work.result = work.run(conn)
                except BaseException as exc:
                    work.error = exc
                    conn.execute("ROLLBACK")
                else:
                    conn.execute("COMMIT")
            else:
                try:  # as one: no work fails, nearly always
                    for work in batch:
                        work.result = work.run(conn)
                except BaseException:  # again, each in a savepoint, undone alone if it fails
                    conn.execute("ROLLBACK")
                    conn.execute("BEGIN IMMEDIATE")
                    for work in batch:
                        conn.execute("SAVEPOINT work")
                        try:
                            work.result = work.run(conn)
                        except BaseException as exc:
                            conn.execute("ROLLBACK TO work")
                            work.error = exc
                        conn.execute("RELEASE work")
                conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for work in batch:
                work.error = work.error or exc
        finally:
            self._synchronous(durable)
        for work in batch:
            work.done = True
            if work.later and work.error is not None:
                log.error("%s: a write committed later failed: %s", self.path, work.error)
        erased = sum(work.forget and work.error is None for work in batch)
        if erased:
            self.forget_soon(erased)

    def _synchronous(self, durable: bool) -> None:
        """Back to full sync after a commit that did not wait for the disk."""
        if not durable and self._conn is not None:
            try:
                self._conn.execute("PRAGMA synchronous=FULL")
            except sqlite3.Error:
                log.exception("%s: cannot set full sync again", self.path)

    def later(self, work: Callable[[sqlite3.Connection], object], *, forget: bool = False) -> None:
        """Commit `work` with the next commit, or within a moment (`erase_delay`) by itself,
        without waiting for it or for the disk: for a write nobody waits for, whose loss to a
        power cut a restart can tell (a delivery's mark). Reads and transactions of this
        database see it: they commit it first."""
        with self._queue_lock:
            self._deferred.append(_Work(work, forget, durable=False, later=True))
        self._tidy_soon()

    def forget_soon(self, erasures: int = 1) -> None:
        """`forget` within `erase_delay` seconds (at once every `ERASES_PER_CHECKPOINT`
        erasures): a checkpoint for each erasure would cost more than the commit that erased."""
        with self._erase_lock:
            self._erasures += erasures
            due = self._erasures >= ERASES_PER_CHECKPOINT
        if due:
            self.forget()
        else:
            self._tidy_soon()

    def _tidy_soon(self) -> None:
        """Start the timer that commits what waits and ends erased data's old WAL frames."""
        with self._erase_lock:
            if self._eraser is not None or self._closing:
                return
            self._eraser = threading.Timer(self._erase_delay, self._tidy)
            self._eraser.name = "database-tidy"
            self._eraser.daemon = True
            self._eraser.start()

    def _tidy(self) -> None:
        self._settle()
        with self._erase_lock:
            if self._eraser is threading.current_thread():
                self._eraser = None
            again = bool(self._deferred) or self._erasures > 0
        if again:  # arrived while this timer was ending
            self._tidy_soon()

    def _settle(self) -> None:
        """Commit what waits (`later`), then end erased data's old WAL frames."""
        with self._lock:
            if self._closed:
                return
            self._commit_deferred()
        with self._erase_lock:
            erased = self._erasures > 0
        if erased:
            self.forget()

    def _commit_deferred(self) -> None:
        """Commit the works waiting (`later`); the caller holds the database."""
        with self._queue_lock:
            batch, self._deferred = self._deferred, []
        if batch:
            self._commit(batch)

    def forget(self) -> None:
        """Make erased data unrecoverable from the files: the WAL still holds the pages as they
        were before an erase; checkpoint it into the database (secure_delete zeroes what was
        freed there) and truncate it."""
        with self._erase_lock:
            self._erasures = 0
        with self._lock:
            if self._closed:
                return
            try:
                busy = self._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            except sqlite3.Error as exc:
                log.warning("%s: checkpoint after an erase failed: %s", self.path, exc)
                return
            if busy:
                log.warning("%s: checkpoint after an erase was blocked by a reader", self.path)

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection for reads, held by this thread for the duration."""
        with self._lock:
            if self._deferred:
                self._commit_deferred()
            yield self._connection()

    def migrate(self, component: str, migrations: Sequence[Migration]) -> None:
        """Bring `component`'s tables to the latest version; each step is one transaction."""
        with self._lock:
            with self.reading() as conn:
                row = conn.execute(
                    "SELECT version FROM schema_versions WHERE component = ?", (component,)
                ).fetchone()
            current = int(row["version"]) if row else 0
            if current > len(migrations):
                raise StorageError(
                    f"{self.path}: {component} schema is version {current}, newer than this "
                    f"kiosk knows ({len(migrations)}); update the kiosk software"
                )
            for version, statements in enumerate(migrations[current:], start=current + 1):
                with self.transaction() as conn:
                    for statement in statements:
                        conn.execute(statement)
                    conn.execute(
                        "INSERT INTO schema_versions (component, version) VALUES (?, ?)"
                        " ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                        (component, version),
                    )
                log.info("%s schema migrated to version %d", component, version)

    def version(self, component: str) -> int:
        """The schema version of a component (0 when it has no tables yet)."""
        with self.reading() as conn:
            row = conn.execute(
                "SELECT version FROM schema_versions WHERE component = ?", (component,)
            ).fetchone()
        return int(row["version"]) if row else 0

    def before_close(self, callback: Callable[[], object]) -> None:
        """Call `callback` when the database is about to close (a writer flushing its queue)."""
        self._before_close.append(callback)

    def close(self) -> None:
        """Close the connection, after the `before_close` callbacks; later use raises
        `StorageError`."""
        callbacks, self._before_close = self._before_close, []
        for callback in callbacks:
            try:
                callback()
            except Exception:
                log.exception("%s: a callback before closing failed", self.path)
        with self._erase_lock:
            self._closing = True
            eraser, self._eraser = self._eraser, None
        if eraser is not None:
            eraser.cancel()
            eraser.join()
        self._settle()
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
