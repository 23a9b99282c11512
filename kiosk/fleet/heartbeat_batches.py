"""PostgreSQL: heartbeats written in groups (group commit), one statement for each group.

At a fleet's usual rate a heartbeat arrives every few tens of milliseconds, and each statement
costs the server and the database far more than the rows in it (most of it is waking both up).
So heartbeats wait up to `window` seconds for others, or until `size` are waiting, and one
statement writes them all. A kiosk is answered only after its group committed, so nothing
acknowledged is lost; a group that fails fails each of its heartbeats (the kiosks send them
again). At most one heartbeat per terminal goes in a group: a second one waits for the next, so
each is counted, in order.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import msgspec

from kiosk.fleet.heartbeat_body import HeartbeatBody, NotThisKiosk, answer_retry
from kiosk.fleet.heartbeat_sql import FIND, RECORD_BATCH_POSTGRES, for_driver

log = logging.getLogger(__name__)

_JSON = msgspec.json.Encoder()
_FIND = for_driver(FIND, "pyformat")
_RECORD = for_driver(RECORD_BATCH_POSTGRES, "pyformat")


@dataclass(slots=True)
class _Waiting:
    row: dict[str, Any]
    """The heartbeat as a row of the statement's JSON."""
    body: HeartbeatBody
    reply: asyncio.Future[dict[str, Any]]


def batch_row(token_hash: str, body: HeartbeatBody, now: float) -> dict[str, Any]:
    """One heartbeat as a row of `RECORD_BATCH_POSTGRES`'s JSON list (and, its JSON as text,
    the parameters of SQLite's statements)."""
    flows = body.flows
    return {
        "token_hash": token_hash,
        "terminal": body.terminal,
        "sequence": body.sequence,
        "mode": body.mode,
        "kiosk_group": body.group,
        "kiosk_version": body.kiosk_version,
        "bundle": body.bundle,
        "update_state": body.update_state,
        "now": now,
        "paper": body.paper,
        "faults": body.faults,
        "devices": body.devices,
        "outbox_backlog": body.outbox_backlog,
        "sessions": sum(c.sessions for c in flows.values()),
        "failures": sum(c.failures for c in flows.values()),
        "rollbacks": body.rollbacks,
        "flows": [
            {"flow": f, "sessions": c.sessions, "failures": c.failures}
            for f, c in flows.items()
            if c.sessions or c.failures
        ],
    }


class PostgresBatches:
    """Writes heartbeats in groups on a few asynchronous psycopg connections."""

    def __init__(self, conninfo: str, connections: int, window: float, size: int) -> None:
        self._conninfo = conninfo
        self._slots = asyncio.Semaphore(connections)
        self._idle: list[Any] = []
        """Cursors of open connections, one per connection."""
        self.window = window
        """Seconds a heartbeat may wait for others to share its statement."""
        self.size = size
        """Heartbeats that are written at once, without waiting out the window."""
        self._waiting: dict[str, _Waiting] = {}
        """The next group, by terminal."""
        self._later: list[_Waiting] = []
        """Heartbeats of terminals already in the next group."""
        self._timer: asyncio.TimerHandle | None = None
        self._writing: set[asyncio.Task[None]] = set()

    async def record(self, row: dict[str, Any], body: HeartbeatBody) -> dict[str, Any]:
        """Record one heartbeat with the group it joins; its reply once that committed."""
        loop = asyncio.get_running_loop()
        waiting = _Waiting(row, body, loop.create_future())
        if body.terminal in self._waiting:
            self._later.append(waiting)
        else:
            self._waiting[body.terminal] = waiting
        if len(self._waiting) >= self.size or self.window <= 0:
            self._write_now()
        elif self._timer is None:
            self._timer = loop.call_later(self.window, self._write_now)
        return await waiting.reply

    def _write_now(self) -> None:
        """Send the waiting group to the database."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        group = list(self._waiting.values())
        self._waiting = {}
        later, self._later = self._later, []
        for waiting in later:  # the next group takes one heartbeat per terminal again
            if waiting.body.terminal in self._waiting:
                self._later.append(waiting)
            else:
                self._waiting[waiting.body.terminal] = waiting
        loop = asyncio.get_running_loop()
        if self._waiting and self._timer is None:
            self._timer = loop.call_later(self.window, self._write_now)
        if group:
            task = loop.create_task(self._write(group))
            self._writing.add(task)
            task.add_done_callback(self._writing.discard)

    async def _write(self, group: list[_Waiting]) -> None:
        """One statement for the group; each heartbeat answered (or failed) by its outcome."""
        try:
            counted, known = await self._execute(group)
        except Exception as exc:
            log.warning("a group of %d heartbeats was not recorded: %s", len(group), exc)
            for waiting in group:
                if not waiting.reply.done():
                    waiting.reply.set_exception(exc)
            return
        for n, waiting in enumerate(group):
            if waiting.reply.done():
                continue
            body = waiting.body
            if n in counted:
                waiting.reply.set_result({"terminal": body.terminal, "sequence": body.sequence})
                continue
            try:
                waiting.reply.set_result(answer_retry(known.get(waiting.row["token_hash"]), body))
            except NotThisKiosk as exc:
                waiting.reply.set_exception(exc)

    async def _execute(self, group: list[_Waiting]) -> tuple[set[int], dict[str, tuple[str, int]]]:
        """The indexes of the group's counted heartbeats, and what the database knows of the
        tokens of those it did not count (tried once more on a new connection when the
        database dropped the one taken)."""
        import psycopg

        batch = _JSON.encode([{"i": n, **w.row} for n, w in enumerate(group)]).decode()
        async with self._slots:
            cursor = self._idle.pop() if self._idle else None
            try:
                for attempt in (1, 2):
                    if cursor is None:
                        connection = await psycopg.AsyncConnection.connect(
                            self._conninfo, autocommit=True
                        )
                        cursor = connection.cursor()
                        # each kiosk is reached by its unique index; without this the planner,
                        # which guesses 100 rows for any JSON function, scans every kiosk
                        await cursor.execute("SET enable_seqscan = off")
                    try:
                        await cursor.execute(_RECORD, {"batch": batch})
                        counted = {row[0] for row in await cursor.fetchall()}
                        known: dict[str, tuple[str, int]] = {}
                        for n, waiting in enumerate(group):
                            if n not in counted:  # a retry, or a token not the terminal's
                                await cursor.execute(_FIND, waiting.row)
                                if (found := await cursor.fetchone()) is not None:
                                    known[waiting.row["token_hash"]] = (found[0], found[1])
                        return counted, known
                    except psycopg.Error:
                        if not cursor.connection.broken or attempt == 2:
                            raise
                        await cursor.connection.close()
                        cursor = None
                        log.warning("heartbeat connection lost; trying a new one")
                raise AssertionError("unreachable")
            finally:
                if cursor is not None and not cursor.connection.closed:
                    self._idle.append(cursor)

    async def aclose(self) -> None:
        """Write what waits, wait for the groups being written, close every connection."""
        while self._waiting or self._later:
            self._write_now()
        while self._writing:
            await asyncio.gather(*self._writing, return_exceptions=True)
        while self._idle:
            await self._idle.pop().connection.close()
