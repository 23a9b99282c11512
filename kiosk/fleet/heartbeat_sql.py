"""The SQL that records a heartbeat, written by hand: the server's hot path.

The ORM and SQLAlchemy's statement machinery cost several times what the databases spend running
these. They follow the tables of models.py (the tests run both databases through them).
Parameters are named (`:name`). One UPDATE checks the token against the terminal and skips a
retried sequence number at once; `FIND` runs only when it changed nothing.
"""

from __future__ import annotations

import re

_SET_KIOSK = """UPDATE kiosks SET sequence = :sequence, mode = :mode,
 kiosk_group = :kiosk_group, kiosk_version = :kiosk_version, bundle = :bundle,
 update_state = :update_state, last_seen = :now, paper = :paper, faults = {faults},
 devices = {devices}, backlog_growing = CASE
  WHEN :outbox_backlog > 0 AND outbox_backlog < :outbox_backlog THEN backlog_growing + 1
  ELSE 0 END,
 outbox_backlog = :outbox_backlog
 WHERE token_hash = :token_hash AND terminal = :terminal
 AND (:sequence = 0 OR sequence < :sequence)
 RETURNING id"""

UPDATE_KIOSK = _SET_KIOSK.format(faults=":faults", devices=":devices")
"""The kiosk's row from the heartbeat; returns its id, or nothing (unknown token, another
terminal, or a sequence number counted before)."""

INSERT_HEARTBEAT = """INSERT INTO heartbeats
 (kiosk_id, received_at, bundle, sessions, failures, rollbacks, paper, faults, outbox_backlog)
 VALUES (:kiosk_id, :now, :bundle, :sessions, :failures, :rollbacks, :paper, :faults,
 :outbox_backlog)"""

INSERT_FLOW = """INSERT INTO flow_counts (kiosk_id, received_at, bundle, flow, sessions, failures)
 VALUES (:kiosk_id, :now, :bundle, :flow, :sessions, :failures)"""

FIND = "SELECT terminal, sequence FROM kiosks WHERE token_hash = :token_hash"

_SET_KIOSK_POSTGRES = _SET_KIOSK.format(faults=":faults::json", devices=":devices::json")
RECORD_POSTGRES = f"""WITH kiosk AS ({_SET_KIOSK_POSTGRES}
), heartbeat AS (
 INSERT INTO heartbeats
 (kiosk_id, received_at, bundle, sessions, failures, rollbacks, paper, faults, outbox_backlog)
 SELECT id, :now::float8, :bundle::integer, :sessions::integer, :failures::integer,
 :rollbacks::integer, :paper::varchar, :faults::json, :outbox_backlog::integer FROM kiosk
), flows AS (
 INSERT INTO flow_counts (kiosk_id, received_at, bundle, flow, sessions, failures)
 SELECT kiosk.id, :now::float8, :bundle::integer, f.flow, f.sessions, f.failures
 FROM kiosk, json_to_recordset(:flows::json) AS f(flow varchar, sessions int, failures int)
)
SELECT id FROM kiosk"""
"""PostgreSQL: all three writes in one statement, one round trip (run in autocommit: a
statement is all or nothing by itself); `:flows` is a JSON list of the counted flows' rows
(cheaper to send than three arrays)."""


def for_driver(sql: str, paramstyle: str) -> str:
    """`sql` with its `:name` parameters in the driver's style (sqlite3 takes them as written)."""
    if paramstyle in ("named", "qmark"):
        return sql
    if paramstyle == "pyformat":
        return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)
    raise ValueError(f"unsupported DBAPI paramstyle {paramstyle}")
