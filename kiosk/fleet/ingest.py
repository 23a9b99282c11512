"""Heartbeat ingestion: a kiosk, known by its own token, reports only as itself."""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import msgspec
from sqlalchemy import Engine, PoolProxiedConnection, select
from sqlalchemy.orm import Session

from kiosk.fleet import heartbeat_sql as sql
from kiosk.fleet.heartbeat_batches import PostgresBatches, batch_row
from kiosk.fleet.heartbeat_body import HeartbeatBody, answer_retry
from kiosk.fleet.models import Kiosk
from kiosk.fleet.tokens import new_token, token_hash

log = logging.getLogger(__name__)

_JSON = msgspec.json.Encoder()

POSTGRES_CONNECTIONS = 4
"""Connections for heartbeats per server process on PostgreSQL."""
HEARTBEAT_GROUP = 16
"""PostgreSQL: heartbeats written together at once, without waiting out the window."""


def provision(
    db: Session, terminal: str, *, district: str = "", community: str = "", group: str = "all"
) -> str:
    """Register a kiosk (or give it a new token); returns the token, shown this once."""
    token = new_token()
    kiosk = db.scalar(select(Kiosk).where(Kiosk.terminal == terminal))
    if kiosk is None:
        kiosk = Kiosk(
            terminal=terminal, token_hash=token_hash(token), faults=[], devices={}, sequence=0
        )
        db.add(kiosk)
    kiosk.token_hash = token_hash(token)
    kiosk.district, kiosk.community, kiosk.group = district, community, group
    db.flush()
    return token


class Recorder:
    """Records heartbeats without ever holding the event loop while the database waits, so a
    slow or locked database holds up heartbeats only, never the console or /metrics.

    PostgreSQL: psycopg's asynchronous connections (a few per process), awaited on the loop,
    heartbeats written in groups of those arriving within `window` seconds (heartbeat_batches).
    SQLite: written on the loop when the database is free to write at once (a fraction of a
    millisecond, no thread hand-off); when another writer holds it, on a thread of the
    recorder's own that waits for it (a hand-off per heartbeat cost ~0.3 ms of CPU, half
    again the heartbeat's cost, so it is kept for that case).
    """

    def __init__(
        self,
        engine: Engine,
        connections: int | None = None,
        window: float = 0.0,
        group: int = HEARTBEAT_GROUP,
    ) -> None:
        self._engine = engine
        style = engine.dialect.paramstyle
        self._update, self._insert, self._insert_flow, self._find = (
            sql.for_driver(statement, style)
            for statement in (sql.UPDATE_KIOSK, sql.INSERT_HEARTBEAT, sql.INSERT_FLOW, sql.FIND)
        )
        self._batches = (
            PostgresBatches(
                engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
                connections or POSTGRES_CONNECTIONS,
                window,
                group,
            )
            if engine.dialect.name == "postgresql"
            else None
        )
        """PostgreSQL: heartbeats written in groups on asynchronous connections."""
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="heartbeats")
        """For SQLite writes that must wait for a lock."""
        self._on_loop: PoolProxiedConnection | None = None
        """SQLite: the loop's connection, which never waits for a lock."""
        self._local = threading.local()
        self._open: list[PoolProxiedConnection] = []
        self._lock = threading.Lock()
        self._db_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        """The driver's own error class: raw connections raise it, not SQLAlchemy's."""

    async def record_soon(self, token: str, body: HeartbeatBody, now: float) -> dict[str, Any]:
        """`record`, awaited on the event loop without blocking it while the database waits."""
        if self._batches is not None:
            return await self._batches.record(batch_row(token_hash(token), body, now), body)
        reply = self._record_if_free(self._values(token, body, now), body)
        if reply is not None:
            return reply
        loop = asyncio.get_running_loop()  # another writer holds the database: wait on a thread
        return await loop.run_in_executor(self._executor, self.record, token, body, now)

    def record(self, token: str, body: HeartbeatBody, now: float) -> dict[str, Any]:
        """SQLite: record a heartbeat from the kiosk holding `token`; `NotThisKiosk` if it is
        not the one the body names. A retried sequence number is answered, not counted again.
        Blocks while the database is busy (called on a thread)."""
        values = self._values(token, body, now)
        for attempt in (1, 2):
            try:
                return self._write(self._connect(), values, body)
            except self._db_error:
                if not self._drop() or attempt == 2:
                    raise
                # the database went away (restarted, or dropped us): once more on a new
                # connection; a write that did land is now a retried sequence number
                log.warning("heartbeat connection lost; trying a new one")
        raise AssertionError("unreachable")

    def _record_if_free(self, values: dict[str, Any], body: HeartbeatBody) -> dict[str, Any] | None:
        """SQLite, on the loop: the reply, or None when the database is busy (nothing written)."""
        if self._on_loop is None:
            connection = self._engine.raw_connection()
            connection.detach()
            connection.cursor().execute("PRAGMA busy_timeout = 0")  # busy: say so, never wait
            self._on_loop = connection
        try:
            return self._write(self._on_loop, values, body)
        except self._db_error:
            try:
                self._on_loop.rollback()
            except self._db_error:
                self._on_loop.invalidate()
                self._on_loop = None
            return None
        except Exception:
            self._on_loop.rollback()  # never leave the write lock held
            raise

    def _values(self, token: str, body: HeartbeatBody, now: float) -> dict[str, Any]:
        """The statements' parameters for one heartbeat (SQLite keeps JSON as text)."""
        values = batch_row(token_hash(token), body, now)
        values["faults"] = _JSON.encode(body.faults).decode()
        values["devices"] = _JSON.encode(body.devices).decode()
        return values

    def _write(
        self, connection: PoolProxiedConnection, values: dict[str, Any], body: HeartbeatBody
    ) -> dict[str, Any]:
        cursor = connection.cursor()
        cursor.execute(self._update, values)
        row = cursor.fetchone()
        if row is None:
            connection.rollback()
            return self._not_counted(cursor, values, body)
        values["kiosk_id"] = row[0]
        cursor.execute(self._insert, values)
        if values["flows"]:  # the flows that counted anything
            cursor.executemany(self._insert_flow, [{**values, **f} for f in values["flows"]])
        connection.commit()
        return {"terminal": body.terminal, "sequence": body.sequence}

    def _not_counted(
        self, cursor: Any, values: dict[str, Any], body: HeartbeatBody
    ) -> dict[str, Any]:
        """The token is not the terminal's (`NotThisKiosk`), or the sequence number was
        counted before: the reply to a retry."""
        cursor.execute(self._find, values)
        return answer_retry(cursor.fetchone(), body)

    def _connect(self) -> PoolProxiedConnection:
        """This thread's connection, opened on first use."""
        connection: PoolProxiedConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._engine.raw_connection()
            connection.detach()  # its own: closed, not pooled, when given up
            self._local.connection = connection
            with self._lock:
                self._open.append(connection)
        return connection

    def _drop(self) -> bool:
        """After an error: roll back; if even that fails, give the connection up (True)."""
        connection: PoolProxiedConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            return True
        try:
            connection.rollback()
            return False
        except self._db_error:
            connection.invalidate()
            self._local.connection = None
            with self._lock:
                self._open.remove(connection)
            return True

    async def aclose(self) -> None:
        """Stop the thread (after the heartbeats it holds) and close every connection."""
        self._executor.shutdown(wait=True)
        with self._lock:
            for connection in self._open:
                connection.close()
            self._open.clear()
        if self._on_loop is not None:
            self._on_loop.close()
            self._on_loop = None
        if self._batches is not None:
            await self._batches.aclose()
