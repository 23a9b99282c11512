"""Heartbeat ingestion: a kiosk, known by its own token, reports only as itself."""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

import msgspec
from sqlalchemy import Engine, PoolProxiedConnection, select
from sqlalchemy.orm import Session

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


# The hot path, in hand-written SQL over one DBAPI connection: the ORM and SQLAlchemy's
# statement machinery cost several times what SQLite or PostgreSQL spend running these.
# Parameters are named (`:name`); they follow the tables of models.py (tests run both
# databases through them). One UPDATE both checks the token against the terminal and skips a
# retried sequence number; the SELECT runs only when it changed nothing.
_UPDATE_KIOSK = """UPDATE kiosks SET sequence = :sequence, mode = :mode,
 kiosk_group = :kiosk_group, kiosk_version = :kiosk_version, bundle = :bundle,
 update_state = :update_state, last_seen = :now, paper = :paper, faults = :faults,
 devices = :devices, backlog_growing = CASE
  WHEN :outbox_backlog > 0 AND outbox_backlog < :outbox_backlog THEN backlog_growing + 1
  ELSE 0 END,
 outbox_backlog = :outbox_backlog
 WHERE token_hash = :token_hash AND terminal = :terminal
 AND (:sequence = 0 OR sequence < :sequence)
 RETURNING id"""
_INSERT_HEARTBEAT = """INSERT INTO heartbeats
 (kiosk_id, received_at, bundle, sessions, failures, rollbacks, paper, faults, outbox_backlog)
 VALUES (:kiosk_id, :now, :bundle, :sessions, :failures, :rollbacks, :paper, :faults,
 :outbox_backlog)"""
_INSERT_FLOW = """INSERT INTO flow_counts (kiosk_id, received_at, bundle, flow, sessions, failures)
 VALUES (:kiosk_id, :now, :bundle, :flow, :sessions, :failures)"""
_FIND = "SELECT terminal, sequence FROM kiosks WHERE token_hash = :token_hash"


def _for_driver(sql: str, paramstyle: str) -> str:
    """`:name` parameters in the driver's style (sqlite3 takes them as they are)."""
    if paramstyle in ("named", "qmark"):
        return sql
    if paramstyle == "pyformat":
        return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)
    raise ValueError(f"unsupported DBAPI paramstyle {paramstyle}")


class Recorder:
    """Records heartbeats on a database connection of its own (one per server process: the
    event loop calls it one heartbeat at a time)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        style = engine.dialect.paramstyle
        self._update, self._insert, self._insert_flow, self._find = (
            _for_driver(sql, style)
            for sql in (_UPDATE_KIOSK, _INSERT_HEARTBEAT, _INSERT_FLOW, _FIND)
        )
        self._connection: PoolProxiedConnection | None = None
        self._lock = threading.Lock()

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
                except NotThisKiosk:
                    raise
                except Exception:
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
        cursor.execute(self._update, values)
        row = cursor.fetchone()
        if row is None:
            cursor.execute(self._find, values)
            known = cursor.fetchone()
            connection.rollback()
            if known is None or known[0] != body.terminal:
                raise NotThisKiosk(body.terminal)
            return {"terminal": known[0], "sequence": known[1]}  # a retry, counted before
        values["kiosk_id"] = row[0]
        cursor.execute(self._insert, values)
        counted = [
            {**values, "flow": flow, "sessions": c.sessions, "failures": c.failures}
            for flow, c in body.flows.items()
            if c.sessions or c.failures
        ]
        if counted:
            cursor.executemany(self._insert_flow, counted)
        connection.commit()
        return {"terminal": body.terminal, "sequence": body.sequence}

    def _connect(self) -> PoolProxiedConnection:
        if self._connection is None:
            self._connection = self._engine.raw_connection()
        return self._connection

    def _drop(self) -> bool:
        """After an error: roll back; if even that fails, give the connection up (True)."""
        if self._connection is None:
            return True
        try:
            self._connection.rollback()
            return False
        except Exception:
            self._connection.invalidate()
            self._connection = None
            return True

    def close(self) -> None:
        """Give the connection back (at shutdown)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
