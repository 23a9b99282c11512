"""Heartbeat ingestion: a kiosk, known by its own token, reports only as itself."""

from __future__ import annotations

import logging
import threading
from typing import Any

import msgspec
from sqlalchemy import Engine, PoolProxiedConnection, select
from sqlalchemy.orm import Session

from kiosk.fleet import heartbeat_sql as sql
from kiosk.fleet.heartbeat_body import HeartbeatBody
from kiosk.fleet.models import Kiosk
from kiosk.fleet.tokens import new_token, token_hash

log = logging.getLogger(__name__)

_JSON = msgspec.json.Encoder()


class NotThisKiosk(Exception):
    """The token is unknown, or belongs to another terminal than the body names."""


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
    """Records heartbeats on a database connection of its own (one per server process: the
    event loop calls it one heartbeat at a time)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        style = engine.dialect.paramstyle
        self._update, self._insert, self._insert_flow, self._find, self._record_postgres = (
            sql.for_driver(statement, style)
            for statement in (
                sql.UPDATE_KIOSK,
                sql.INSERT_HEARTBEAT,
                sql.INSERT_FLOW,
                sql.FIND,
                sql.RECORD_POSTGRES,
            )
        )
        self._connection: PoolProxiedConnection | None = None
        self._lock = threading.Lock()
        self._db_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        """The driver's own error class: raw connections raise it, not SQLAlchemy's."""

    def record(self, token: str, body: HeartbeatBody, now: float) -> dict[str, Any]:
        """Record a heartbeat from the kiosk holding `token`; `NotThisKiosk` if it is not the
        one the body names. A retried sequence number is answered, not counted again."""
        flows = body.flows.values()
        values: dict[str, Any] = {
            "token_hash": token_hash(token),
            "terminal": body.terminal,
            "sequence": body.sequence,
            "mode": body.mode,
            "kiosk_group": body.group,
            "kiosk_version": body.kiosk_version,
            "bundle": body.bundle,
            "update_state": body.update_state,
            "now": now,
            "paper": body.paper,
            "faults": _JSON.encode(body.faults).decode(),
            "devices": _JSON.encode(body.devices).decode(),
            "outbox_backlog": body.outbox_backlog,
            "sessions": sum(f.sessions for f in flows),
            "failures": sum(f.failures for f in flows),
            "rollbacks": body.rollbacks,
        }
        with self._lock:
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

    def _write(
        self, connection: PoolProxiedConnection, values: dict[str, Any], body: HeartbeatBody
    ) -> dict[str, Any]:
        cursor = connection.cursor()
        counted = [(flow, c) for flow, c in body.flows.items() if c.sessions or c.failures]
        if self._postgres:  # one statement, committed by itself
            values["flows"] = _JSON.encode(
                [{"flow": f, "sessions": c.sessions, "failures": c.failures} for f, c in counted]
            ).decode()
            cursor.execute(self._record_postgres, values)
            if cursor.fetchone() is None:
                return self._not_counted(cursor, values, body)
            return {"terminal": body.terminal, "sequence": body.sequence}
        cursor.execute(self._update, values)
        row = cursor.fetchone()
        if row is None:
            connection.rollback()
            return self._not_counted(cursor, values, body)
        values["kiosk_id"] = row[0]
        cursor.execute(self._insert, values)
        if counted:
            cursor.executemany(
                self._insert_flow,
                [
                    {**values, "flow": f, "sessions": c.sessions, "failures": c.failures}
                    for f, c in counted
                ],
            )
        connection.commit()
        return {"terminal": body.terminal, "sequence": body.sequence}

    def _not_counted(
        self, cursor: Any, values: dict[str, Any], body: HeartbeatBody
    ) -> dict[str, Any]:
        """The token is not the terminal's (`NotThisKiosk`), or the sequence number was
        counted before: the reply to a retry."""
        cursor.execute(self._find, values)
        known = cursor.fetchone()
        if known is None or known[0] != body.terminal:
            raise NotThisKiosk(body.terminal)
        return {"terminal": known[0], "sequence": known[1]}

    def _connect(self) -> PoolProxiedConnection:
        if self._connection is None:
            connection = self._engine.raw_connection()
            connection.detach()  # its own: closed, not pooled, when given up
            if self._postgres:
                connection.dbapi_connection.autocommit = True  # type: ignore[union-attr]
            self._connection = connection
        return self._connection

    def _drop(self) -> bool:
        """After an error: roll back; if even that fails, give the connection up (True)."""
        if self._connection is None:
            return True
        try:
            self._connection.rollback()
            return False
        except self._db_error:
            self._connection.invalidate()
            self._connection = None
            return True

    def close(self) -> None:
        """Give the connection back (at shutdown)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
