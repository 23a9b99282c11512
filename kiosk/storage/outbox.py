"""The durable outbox: submissions to back offices, stored before sending, delivered once.

Life of a submission: `submit()` commits a row (payload, idempotency key, reference number)
before any network traffic, then tries once with a short timeout; on the outbox's own thread,
with the submissions asked meanwhile (one commit for them all, then each tried in turn:
`submit_all`). A row that could not be
delivered stays `pending`; `deliver_due()` (run by `OutboxWorker`) retries it with exponential
backoff and jitter. 2xx marks it `delivered` and replaces the payload with its SHA-256 digest;
4xx other than 408/429 marks it `dead` with the reason (the payload is kept so staff can
`requeue` it after fixing the configuration, or `discard` it); 5xx and network errors retry.

Each attempt first *claims* the row (one atomic UPDATE moving `next_attempt_at` past a lease),
so two concurrent `deliver_due` calls never send the same row at once. If the kiosk dies between
sending and marking, the claim expires and the row is sent again with the same
`Idempotency-Key`, which the back office uses to answer without recording it twice.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import random
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal

import msgspec

from kiosk.backoffice.client import describe, endpoint, error_for_status, headers_for, tls_for
from kiosk.backoffice.transfer import Transport, exchange
from kiosk.clock import SystemClock
from kiosk.config import BackendConfig
from kiosk.flow.services import BackendError, Clock, Submission
from kiosk.privacy.masking import scrub
from kiosk.storage.batch_thread import BatchThread
from kiosk.storage.database import Database, StorageError

log = logging.getLogger(__name__)

COMPONENT = "outbox"

MIGRATIONS: list[tuple[str, ...]] = [
    (
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            reference TEXT NOT NULL UNIQUE,
            idempotency_key TEXT NOT NULL UNIQUE,
            backend TEXT NOT NULL,
            path TEXT NOT NULL,
            payload TEXT,
            digest TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'delivered', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            next_attempt_at REAL NOT NULL,
            delivered_at REAL,
            last_error TEXT,
            CHECK (status != 'delivered' OR payload IS NULL)
        )""",
        "CREATE INDEX outbox_due ON outbox (status, next_attempt_at)",
    ),
    (
        # where the back office's own reference is in its reply, and that reference once known
        "ALTER TABLE outbox ADD COLUMN reference_field TEXT",
        "ALTER TABLE outbox ADD COLUMN remote_reference TEXT",
    ),
]

Status = Literal["pending", "delivered", "dead"]


class OutboxEntry(msgspec.Struct, frozen=True):
    """One submission as the service menu sees it (never its payload)."""

    reference: str
    idempotency_key: str
    backend: str
    path: str
    status: Status
    attempts: int
    created_at: float
    next_attempt_at: float
    delivered_at: float | None
    last_error: str | None
    has_payload: bool
    digest: str
    remote_reference: str | None = None
    """The back office's own reference, once it acknowledged the submission."""


class _Outcome(msgspec.Struct, frozen=True):
    result: Literal["delivered", "retry", "dead"]
    reply: Any = None
    reason: str = ""
    key: str = ""
    reached: bool = True
    """Whether the back office answered at all (False: no connection, no reply in time)."""


class _Asked(msgspec.Struct, frozen=True):
    """One submission asked of the outbox."""

    backend: str
    path: str
    payload: Any
    idempotency_key: str
    reference_field: str | None = None


def _unanswered() -> Exception:
    return RuntimeError("outbox: a submission was left without an answer")


class SqliteOutbox:
    """The `Outbox` over SQLite and `http.client` (`transfer.Transport`).

    `fallback` delivers for backend names missing from `backends` (the demo back office under
    `--simulate`). `clock` gives stored times (wall clock in production); `rand` returns floats
    in [0, 1) for the jitter. Both are injected so tests need no sleeping.
    """

    def __init__(
        self,
        db: Database,
        backends: Mapping[str, BackendConfig],
        *,
        fallback: BackendConfig | None = None,
        clock: Clock | None = None,
        rand: Callable[[], float] = random.random,
        session: Transport | None = None,
        submit_timeout: float = 5.0,
        base_delay: float = 15.0,
        max_delay: float = 3600.0,
        jitter: float = 0.25,
        lease: float | None = None,
        reference_prefix: str = "",
    ) -> None:
        self._db = db
        self._backends = dict(backends)
        self._fallback = fallback
        self._clock = clock or SystemClock()
        self._rand = rand
        self._session = session or Transport()
        self._submit_timeout = submit_timeout
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._jitter = jitter
        # A claim must outlive the slowest request, or a second sender could start meanwhile.
        longest = max([b.timeout for b in self._backends.values()] + [30.0])
        self._lease = lease if lease is not None else longest + 30.0
        self._prefix = reference_prefix
        self._listeners: list[Callable[[], None]] = []
        self._submitter: BatchThread[_Asked, Submission] = BatchThread(
            "outbox-submit", self.submit_all
        )
        db.migrate(COMPONENT, MIGRATIONS)

    # The Outbox protocol -----------------------------------------------------------------

    async def submit(
        self,
        backend: str,
        path: str,
        payload: Any,
        idempotency_key: str,
        reference_field: str | None = None,
    ) -> Submission:
        """Store the submission durably, try to deliver it now, and say what happened.

        Returns `delivered` (with the back office's reply) or `queued`; raises
        `BackendError("backend.rejected")` when the back office refuses it for good and
        `BackendError("backend.unknown")` for a backend that is not configured. Done on the
        outbox's own thread, with the submissions asked meanwhile (`submit_all`).
        """
        return await self._submitter.ask(
            _Asked(backend, path, payload, idempotency_key, reference_field)
        )

    def submit_sync(
        self,
        backend: str,
        path: str,
        payload: Any,
        idempotency_key: str,
        reference_field: str | None = None,
    ) -> Submission:
        """The blocking `submit` (`reference_field`: where the back office's own reference is
        in its reply, e.g. `ticket`, kept once it answers)."""
        (answer,) = self.submit_all(
            [_Asked(backend, path, payload, idempotency_key, reference_field)]
        )
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def submit_all(self, asked: list[_Asked]) -> list[Submission | Exception]:
        """Submit several at once, as `submit_sync` each: all are stored in one commit before
        any is sent, then each is tried once, in order. Once a back office could not be reached
        (no reply), the rest of the batch for it is queued untried, so a batch waits for at most
        one timeout per back office. One answer each: its `Submission` or what `submit_sync`
        would raise."""
        answers: list[Submission | Exception | None] = [None] * len(asked)
        ready: list[tuple[int, BackendConfig, str, str]] = []
        for index, one in enumerate(asked):
            try:
                config = self._config(one.backend)
                endpoint(config, one.path)  # a path leaving the back office is refused first
                text = json.dumps(
                    one.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")
                )
            except (BackendError, TypeError, ValueError) as exc:  # this one alone is refused
                answers[index] = exc
                continue
            ready.append((index, config, text, payload_digest(text)))
        now = self._clock.now()

        def store_all(conn: sqlite3.Connection) -> list[tuple[sqlite3.Row, bool] | BackendError]:
            stored: list[tuple[sqlite3.Row, bool] | BackendError] = []
            for index, _, text, digest in ready:
                try:
                    stored.append(self._store(conn, asked[index], text, digest, now))
                except BackendError as exc:  # nothing of it was written
                    stored.append(exc)
            return stored

        try:
            # committed (with any other write arriving meanwhile) before anything is sent
            kept = self._db.committed(store_all) if ready else []
        except Exception as exc:
            for index, *_ in ready:
                answers[index] = exc
            kept = []
        unreachable: dict[str, _Outcome] = {}
        for (index, config, _, _), result in zip(ready, kept, strict=False):
            try:
                answers[index] = self._try(asked[index], config, result, unreachable)
            except Exception as exc:
                answers[index] = exc
        return [answer if answer is not None else _unanswered() for answer in answers]

    def _store(
        self, conn: sqlite3.Connection, one: _Asked, text: str, digest: str, now: float
    ) -> tuple[sqlite3.Row, bool]:
        """Insert a submission (claimed by this caller), or find the one kept under its key."""
        # inserted at once; a key already kept (or, one time in a million, a reference number
        # already given) inserts nothing and is looked at then
        for _ in range(20):
            reference = self._new_reference(now)
            stored = conn.execute(
                "INSERT INTO outbox (reference, idempotency_key, backend, path, payload,"
                " digest, attempts, created_at, next_attempt_at, reference_field)"
                " VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *",
                (
                    reference,
                    one.idempotency_key,
                    one.backend,
                    one.path,
                    text,
                    digest,
                    now,
                    now + self._lease,
                    one.reference_field,
                ),
            ).fetchone()
            if stored is not None:
                return stored, True
            row = conn.execute(
                "SELECT * FROM outbox WHERE idempotency_key = ?", (one.idempotency_key,)
            ).fetchone()
            if row is not None:
                legacy = hashlib.sha256(text.encode()).hexdigest()  # kept before base32
                if row["digest"] not in (digest, legacy):
                    # never answer a new submission with an old one's reference
                    log.error("outbox: key of %s reused with another payload", row["reference"])
                    raise BackendError(
                        "backend.duplicate_key",
                        f"idempotency key of {row['reference']} reused with another payload",
                    )
                return row, False
        raise RuntimeError("could not find a free reference number")  # 20 in 10^6 taken

    def _try(
        self,
        one: _Asked,
        config: BackendConfig,
        stored: tuple[sqlite3.Row, bool] | BackendError,
        unreachable: dict[str, _Outcome],
    ) -> Submission:
        """Send a stored submission once (unless its back office was unreachable a moment ago,
        in `unreachable`) and record the outcome."""
        if isinstance(stored, BackendError):
            raise stored
        row, claimed = stored
        if not claimed:
            return self._resubmitted(row)
        where = describe(one.backend, "POST", one.path)
        log.info("outbox: stored %s for %s", row["reference"], where)
        outcome = unreachable.get(one.backend)
        if outcome is None:
            outcome = self._send(row, config, min(self._submit_timeout, config.timeout))
            if not outcome.reached:
                unreachable[one.backend] = outcome
        return self._settle(row, outcome)

    # Delivery ----------------------------------------------------------------------------

    def deliver_due(self, limit: int = 100) -> int:
        """Try every pending submission whose time has come; returns how many were delivered."""
        now = self._clock.now()
        with self._db.reading() as conn:
            ids = [
                r["id"]
                for r in conn.execute(
                    "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?"
                    " ORDER BY next_attempt_at, id LIMIT ?",
                    (now, limit),
                )
            ]
        delivered = 0
        for row_id in ids:
            row = self._claim(row_id)
            if row is None:
                continue  # another sender has it
            try:
                config = self._config(row["backend"])
            except BackendError as exc:
                outcome = _Outcome("retry", reason=str(exc), key=exc.key)
            else:
                outcome = self._send(row, config, config.timeout)
            try:
                self._settle(row, outcome)
            except BackendError:
                pass  # marked dead; nobody is waiting for this one
            delivered += outcome.result == "delivered"
        return delivered

    def _claim(self, row_id: int) -> sqlite3.Row | None:
        now = self._clock.now()
        with self._db.transaction() as conn:
            claimed = conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?"
                " WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?",
                (now + self._lease, row_id, now),
            ).rowcount
            if not claimed:
                return None
            row: sqlite3.Row = conn.execute(
                "SELECT * FROM outbox WHERE id = ?", (row_id,)
            ).fetchone()
            return row

    def _send(self, row: sqlite3.Row, config: BackendConfig, timeout: float) -> _Outcome:
        where = describe(row["backend"], "POST", row["path"])
        headers = headers_for(
            config,
            {
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": row["idempotency_key"],
                "X-Kiosk-Reference": row["reference"],
            },
        )
        try:
            reply = exchange(
                self._session,
                "POST",
                endpoint(config, row["path"]),
                timeout=timeout,
                where=where,
                data=row["payload"].encode(),
                headers=headers,
                **tls_for(config),
            )
        except BackendError as exc:
            if exc.key == "backend.bad_path":  # a path leaving the back office: never to be sent
                return _Outcome("dead", reason=str(exc), key=exc.key)
            return _Outcome("retry", reason=str(exc), key=exc.key, reached=False)
        error = error_for_status(reply.status, where, "POST")
        if error is None:
            # taken: the status says so, whatever the body (unreadable: no reference from it)
            parsed = None
            if reply.fault is None and reply.body:
                try:
                    parsed = json.loads(reply.body)
                except ValueError:
                    parsed = None
            elif reply.fault is not None:
                log.warning("outbox: %s", reply.fault)
            return _Outcome("delivered", reply=parsed)
        reason = str(error)
        body = scrub(reply.body[:200].decode("utf-8", "replace").strip())
        if body:
            reason = f"{reason}: {body}"
        # refused for good, or sent where nothing takes it: retrying would not help
        final = error.key in ("backend.rejected", "backend.not_found")
        result: Literal["retry", "dead"] = "dead" if final else "retry"
        return _Outcome(result, reason=reason, key=error.key)

    def _settle(self, row: sqlite3.Row, outcome: _Outcome) -> Submission:
        """Record an attempt's outcome; the row must be claimed by this caller."""
        now = self._clock.now()
        reference = row["reference"]
        if outcome.result == "delivered":
            remote = _remote_reference(outcome.reply, row["reference_field"])
            self.mark_delivered(reference, now, remote, path=row["path"])
            log.info("outbox: %s delivered (attempt %d)", reference, row["attempts"])
            return Submission(reference, "delivered", outcome.reply, remote)
        if outcome.result == "dead":
            with self._db.transaction() as conn:
                conn.execute(
                    "UPDATE outbox SET status = 'dead', last_error = ?"
                    " WHERE id = ? AND status = 'pending'",
                    (outcome.reason, row["id"]),
                )
            log.warning("outbox: %s refused for good: %s", reference, outcome.reason)
            raise BackendError(outcome.key or "backend.rejected", f"{reference}: {outcome.reason}")
        delay = self.backoff(row["attempts"])
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET next_attempt_at = ?, last_error = ?"
                " WHERE id = ? AND status = 'pending'",
                (now + delay, outcome.reason, row["id"]),
            )
        log.info(
            "outbox: %s queued (attempt %d failed: %s); next try in %.0f s",
            reference,
            row["attempts"],
            outcome.reason,
            delay,
        )
        self._notify()
        return Submission(reference, "queued")

    def mark_delivered(
        self,
        reference: str,
        when: float | None = None,
        remote_reference: str | None = None,
        *,
        path: str | None = None,
    ) -> None:
        """Mark a submission delivered and drop its payload, keeping only the digest (and the
        back office's own reference); `path`: the submission's, when the caller has it."""
        delivered_at = self._clock.now() if when is None else when

        def mark(conn: sqlite3.Connection) -> None:
            kept = path
            if kept is None:
                row = conn.execute(
                    "SELECT path FROM outbox WHERE reference = ?", (reference,)
                ).fetchone()
                if row is None:
                    return
                kept = str(row["path"])
            # The path may hold personal data too (a templated resident number).
            conn.execute(
                "UPDATE outbox SET status = 'delivered', payload = NULL, path = ?,"
                " delivered_at = ?, last_error = NULL, remote_reference = ?"
                " WHERE reference = ? AND status = 'pending'",
                (scrub(kept), delivered_at, remote_reference, reference),
            )

        # Committed with the next commit or within a moment (`Database.later`), not waiting
        # for the disk: a power cut that loses the mark leaves the submission pending, sent
        # again with its key and recorded once by the back office. The payload must not live
        # on in the WAL: its old frames are checkpointed within that moment too, one checkpoint
        # for all the deliveries marked meanwhile.
        self._db.later(mark, forget=True)

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after `attempts` failed tries: doubling, capped, with jitter."""
        delay = min(self._base_delay * 2 ** max(attempts - 1, 0), self._max_delay)
        return float(delay * (1 + self._jitter * (2 * self._rand() - 1)))

    def _resubmitted(self, row: sqlite3.Row) -> Submission:
        """The answer for a key that was submitted before (e.g. the flow resumed)."""
        if row["status"] == "delivered":
            return Submission(row["reference"], "delivered", None, row["remote_reference"])
        if row["status"] == "dead":
            raise BackendError("backend.rejected", f"{row['reference']}: {row['last_error']}")
        claimed = self._claim(row["id"])
        if claimed is None:
            return Submission(row["reference"], "queued")
        config = self._config(row["backend"])
        outcome = self._send(claimed, config, min(self._submit_timeout, config.timeout))
        return self._settle(claimed, outcome)

    # Service menu ------------------------------------------------------------------------

    def get(self, reference: str) -> OutboxEntry | None:
        """One submission by its reference number."""
        with self._db.reading() as conn:
            row = conn.execute("SELECT * FROM outbox WHERE reference = ?", (reference,)).fetchone()
        return _entry(row) if row else None

    def entries(self, status: Status | None = None, limit: int = 100) -> list[OutboxEntry]:
        """Submissions, newest first, optionally of one status."""
        query = "SELECT * FROM outbox"
        args: list[Any] = []
        if status is not None:
            query += " WHERE status = ?"
            args.append(status)
        query += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        with self._db.reading() as conn:
            return [_entry(r) for r in conn.execute(query, args)]

    def counts(self) -> dict[str, int]:
        """How many submissions are pending, delivered and dead."""
        result = {"pending": 0, "delivered": 0, "dead": 0}
        with self._db.reading() as conn:
            for row in conn.execute("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status"):
                result[row["status"]] = row["n"]
        return result

    def next_due(self) -> float | None:
        """When the earliest pending submission is due (clock time), or None."""
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'"
            ).fetchone()
        return None if row[0] is None else float(row[0])

    def due_now(self) -> int:
        """Make every pending submission due now (the network is back); returns how many."""
        with self._db.transaction() as conn:
            changed = conn.execute(
                "UPDATE outbox SET next_attempt_at = ? WHERE status = 'pending'",
                (self._clock.now(),),
            ).rowcount
        if changed:
            self._notify()
        return int(changed)

    def requeue(self, reference: str) -> bool:
        """Put a dead submission back in the queue, due now (after fixing configuration)."""
        with self._db.transaction() as conn:
            changed = conn.execute(
                "UPDATE outbox SET status = 'pending', next_attempt_at = ?"
                " WHERE reference = ? AND status = 'dead' AND payload IS NOT NULL",
                (self._clock.now(), reference),
            ).rowcount
        if changed:
            self._notify()
        return bool(changed)

    def discard(self, reference: str) -> bool:
        """Drop a dead submission's payload for good (its digest and reason stay)."""
        with self._db.transaction() as conn:
            dropped = bool(
                conn.execute(
                    "UPDATE outbox SET payload = NULL WHERE reference = ? AND status = 'dead'",
                    (reference,),
                ).rowcount
            )
        if dropped:
            self._db.forget()
        return dropped

    def add_listener(self, callback: Callable[[], None]) -> None:
        """Call `callback` whenever a submission is (re)queued, e.g. to wake the worker."""
        self._listeners.append(callback)

    def close(self) -> None:
        """Finish the submissions asked, end the outbox's thread and release the HTTP
        transport (the database is the caller's)."""
        self._submitter.close()
        self._session.close()

    # Helpers -----------------------------------------------------------------------------

    def _config(self, backend: str) -> BackendConfig:
        config = self._backends.get(backend, self._fallback)
        if config is None:
            raise BackendError("backend.unknown", f"no backend named {backend!r} is configured")
        return config

    def _new_reference(self, now: float) -> str:
        """A 受理编号 like 261129-048213: short, digits only, easy to read out and key in.

        Never an unbroken run of 11 digits, so the privacy scrub never mistakes it for a phone
        number.
        """
        day = time.strftime("%y%m%d", time.localtime(now))
        return f"{self._prefix}{day}-{secrets.randbelow(1_000_000):06d}"

    def _notify(self) -> None:
        for callback in list(self._listeners):
            try:
                callback()
            except Exception:
                log.exception("outbox listener failed")


def payload_digest(text: str) -> str:
    """A payload's SHA-256 in lower-case base32: unlike hex, it never holds a run of digits
    that reads as a phone or ID number to the privacy scans (`1` and `8`-`9` are not in it)."""
    return base64.b32encode(hashlib.sha256(text.encode()).digest()).decode().rstrip("=").lower()


def _remote_reference(reply: Any, field: str | None) -> str | None:
    """The back office's own reference in its reply (`field`, dotted for nested keys)."""
    if not field:
        return None
    value = reply
    for key in field.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return str(value) if isinstance(value, str | int) and str(value) else None


def _entry(row: sqlite3.Row) -> OutboxEntry:
    return OutboxEntry(
        reference=row["reference"],
        idempotency_key=row["idempotency_key"],
        backend=row["backend"],
        path=row["path"],
        status=row["status"],
        attempts=row["attempts"],
        created_at=row["created_at"],
        next_attempt_at=row["next_attempt_at"],
        delivered_at=row["delivered_at"],
        last_error=row["last_error"],
        has_payload=row["payload"] is not None,
        digest=row["digest"],
        remote_reference=row["remote_reference"],
    )


class OutboxWorker:
    """A background thread that runs `deliver_due` when woken or when the next row falls due."""

    def __init__(self, outbox: SqliteOutbox, clock: Clock | None = None, max_idle: float = 60.0):
        self._outbox = outbox
        self._clock = clock or SystemClock()
        self._max_idle = max_idle
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._passes = threading.Condition()
        self._started = 0
        self._finished = 0
        self._thread: threading.Thread | None = None
        outbox.add_listener(self.wake)

    def start(self) -> OutboxWorker:
        """Start the thread (idempotent)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="outbox-worker", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current pass and wait for the thread."""
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def wake(self) -> None:
        """Run a pass now instead of waiting."""
        self._wake.set()

    def run_pass(self, timeout: float = 10.0) -> bool:
        """Wake the worker and wait until a pass that started after this call has finished."""
        with self._passes:
            target = self._started + 1
        self.wake()
        with self._passes:
            return self._passes.wait_for(lambda: self._finished >= target, timeout=timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            with self._passes:
                self._started += 1
            failed = False
            try:
                self._outbox.deliver_due()
            except Exception:
                log.exception("outbox worker pass failed")
                failed = True
            with self._passes:
                self._finished += 1
                self._passes.notify_all()
            due = self._outbox_next_due()
            wait = self._max_idle if due is None else due - self._clock.now()
            if failed:
                wait = max(wait, 5.0)  # a broken database must not become a busy loop
            self._wake.wait(min(max(wait, 0.0), self._max_idle))

    def _outbox_next_due(self) -> float | None:
        try:
            return self._outbox.next_due()
        except (sqlite3.Error, StorageError):
            log.exception("outbox worker cannot read the queue")
            return None

    def __enter__(self) -> OutboxWorker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
