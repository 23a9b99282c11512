"""The SQL that records a heartbeat, written by hand: the server's hot path.

The ORM and SQLAlchemy's statement machinery cost several times what the databases spend running
these. They follow the tables of models.py (the tests run both databases through them).
Parameters are named (`:name`). One UPDATE checks the token against the terminal and skips a
retried sequence number at once; `FIND` runs only when it changed nothing. SQLite takes one
heartbeat at a time in three statements; PostgreSQL a group of heartbeats in one
(heartbeat_batches.py).
"""

from __future__ import annotations

import re

UPDATE_KIOSK = """UPDATE kiosks SET sequence = :sequence, mode = :mode,
 kiosk_group = :kiosk_group, kiosk_version = :kiosk_version, bundle = :bundle,
 update_state = :update_state, last_seen = :now, paper = :paper, faults = :faults,
 devices = :devices, backlog_growing = CASE
  WHEN :outbox_backlog > 0 AND outbox_backlog < :outbox_backlog THEN backlog_growing + 1
  ELSE 0 END,
 outbox_backlog = :outbox_backlog
 WHERE token_hash = :token_hash AND terminal = :terminal
 AND (:sequence = 0 OR sequence < :sequence)
 RETURNING id"""
"""SQLite: the kiosk's row from the heartbeat; returns its id, or nothing (unknown token, another
terminal, or a sequence number counted before)."""

INSERT_HEARTBEAT = """INSERT INTO heartbeats
 (kiosk_id, received_at, bundle, sessions, failures, rollbacks, paper, faults, outbox_backlog)
 VALUES (:kiosk_id, :now, :bundle, :sessions, :failures, :rollbacks, :paper, :faults,
 :outbox_backlog)"""

INSERT_FLOW = """INSERT INTO flow_counts (kiosk_id, received_at, bundle, flow, sessions, failures)
 VALUES (:kiosk_id, :now, :bundle, :flow, :sessions, :failures)"""

FIND = "SELECT terminal, sequence FROM kiosks WHERE token_hash = :token_hash"


def for_driver(sql: str, paramstyle: str) -> str:
    """`sql` with its `:name` parameters in the driver's style (sqlite3 takes them as written)."""
    if paramstyle in ("named", "qmark"):
        return sql
    if paramstyle == "pyformat":
        return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)
    raise ValueError(f"unsupported DBAPI paramstyle {paramstyle}")


RECORD_BATCH_POSTGRES = """WITH batch AS (
 SELECT * FROM json_to_recordset(:batch::json) AS b(i integer, token_hash varchar,
 terminal varchar, sequence integer, mode varchar, kiosk_group varchar, kiosk_version varchar,
 bundle integer, update_state varchar, now float8, paper varchar, faults json, devices json,
 outbox_backlog integer, sessions integer, failures integer, rollbacks integer, flows json)
), kiosk AS (
 UPDATE kiosks AS k SET sequence = b.sequence, mode = b.mode, kiosk_group = b.kiosk_group,
 kiosk_version = b.kiosk_version, bundle = b.bundle, update_state = b.update_state,
 last_seen = b.now, paper = b.paper, faults = b.faults, devices = b.devices,
 backlog_growing = CASE
  WHEN b.outbox_backlog > 0 AND k.outbox_backlog < b.outbox_backlog THEN k.backlog_growing + 1
  ELSE 0 END,
 outbox_backlog = b.outbox_backlog
 FROM batch AS b
 WHERE k.token_hash = b.token_hash AND k.terminal = b.terminal
 AND (b.sequence = 0 OR k.sequence < b.sequence)
 RETURNING k.id, b.i, b.now, b.bundle, b.sessions, b.failures, b.rollbacks, b.paper, b.faults,
 b.outbox_backlog, b.flows
), heartbeat AS (
 INSERT INTO heartbeats
 (kiosk_id, received_at, bundle, sessions, failures, rollbacks, paper, faults, outbox_backlog)
 SELECT id, now, bundle, sessions, failures, rollbacks, paper, faults, outbox_backlog FROM kiosk
), flows AS (
 INSERT INTO flow_counts (kiosk_id, received_at, bundle, flow, sessions, failures)
 SELECT kiosk.id, kiosk.now, kiosk.bundle, f.flow, f.sessions, f.failures
 FROM kiosk, json_to_recordset(kiosk.flows) AS f(flow varchar, sessions integer, failures integer)
)
SELECT i FROM kiosk"""
"""PostgreSQL: a group of heartbeats (`:batch`, a JSON list of rows, at most one per terminal,
each with its index `i` and its counted flows) in one statement; returns the indexes of those
counted. The others were retries, or a token not the terminal's (`FIND` tells which)."""
