"""Sends a heartbeat on a schedule, through the outbox so it waits there while offline.

The schedule is the interval give or take `jitter` of it, so a fleet does not report at once;
the clock and the random source are injected so tests never sleep. Where the journal was read up
to and the sequence number are kept in a small JSON file, so counts are neither lost nor sent
twice across restarts.
"""

from __future__ import annotations

import json
import logging
import os
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kiosk.flow.services import BackendError, Clock, Submission
from kiosk.heartbeat.report import HealthLike, JournalLine, build_body, tally

log = logging.getLogger(__name__)

PATH = "/api/v1/heartbeats"
"""Where the fleet server takes heartbeats."""


class Outbox(Protocol):
    """The outbox calls a heartbeat needs."""

    def submit_sync(
        self, backend: str, path: str, payload: Any, idempotency_key: str
    ) -> Submission: ...

    def counts(self) -> dict[str, int]: ...


class Journal(Protocol):
    """The journal call a heartbeat needs."""

    def since(self, after: int, limit: int = ...) -> list[Any]: ...


@dataclass(frozen=True)
class Identity:
    """Who this kiosk is, as the fleet sees it."""

    terminal: str
    mode: str
    group: str
    kiosk_version: str


def next_delay(interval: float, jitter: float, rand: Callable[[], float]) -> float:
    """The wait before the next heartbeat: `interval` give or take `jitter` of it."""
    return interval * (1 + jitter * (2 * rand() - 1))


class HeartbeatSender:
    """Builds heartbeats and hands them to the outbox when they fall due."""

    def __init__(
        self,
        identity: Identity,
        *,
        outbox: Outbox,
        journal: Journal,
        health: Callable[[], Mapping[str, HealthLike]],
        update: Callable[[], tuple[int | None, str]],
        state_file: Path,
        clock: Clock,
        backend: str = "fleet",
        interval: float = 300.0,
        jitter: float = 0.2,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.identity = identity
        self._outbox = outbox
        self._journal = journal
        self._health = health
        self._update = update
        self._state_file = state_file
        self._clock = clock
        self._backend = backend
        self._interval = interval
        self._jitter = jitter
        self._rand = rand
        state = self._load()
        self._last_id = int(state.get("last_id", 0))
        self._sequence = int(state.get("sequence", 0))
        # the first one soon after start, spread over the fleet like the others
        self.next_at = clock.now() + next_delay(interval, jitter, rand) * rand()

    def due(self) -> bool:
        """Whether the next heartbeat's time has come."""
        return self._clock.now() >= self.next_at

    def tick(self) -> Submission | None:
        """Send a heartbeat if one is due; what the outbox said, or None."""
        if not self.due():
            return None
        return self.send()

    def body(self) -> dict[str, Any]:
        """The next heartbeat's body (without sending it or moving the counts on)."""
        return self._body(self._journal.since(self._last_id))

    def _body(self, entries: list[JournalLine]) -> dict[str, Any]:
        counts = tally(entries, self._last_id)
        bundle, state = self._update()
        return build_body(
            terminal=self.identity.terminal,
            mode=self.identity.mode,
            group=self.identity.group,
            kiosk_version=self.identity.kiosk_version,
            bundle=bundle,
            update_state=state,
            health=self._health(),
            outbox_backlog=self._outbox.counts().get("pending", 0),
            counts=counts,
            sent_at=self._clock.now(),
            sequence=self._sequence + 1,
        )

    def send(self) -> Submission | None:
        """Hand a heartbeat to the outbox now and schedule the next."""
        self.next_at = self._clock.now() + next_delay(self._interval, self._jitter, self._rand)
        entries: list[JournalLine] = self._journal.since(self._last_id)
        body = self._body(entries)  # the counts sent are exactly those moved past below
        key = f"heartbeat-{self.identity.terminal}-{body['sequence']}"
        try:
            result = self._outbox.submit_sync(self._backend, PATH, body, key)
        except BackendError as exc:
            # refused for good (a bad token): counts stay, to go with the next one
            log.warning("heartbeat %d refused: %s", body["sequence"], exc)
            return None
        # once stored in the outbox, its counts are on their way: start counting afresh
        self._sequence = body["sequence"]
        self._last_id = tally(entries, self._last_id).last_id
        self._save()
        log.info("heartbeat %d %s", self._sequence, result.status)
        return result

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self._state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self) -> None:
        self._state_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._state_file.with_name(f".{self._state_file.name}.tmp")
        temporary.write_text(
            json.dumps({"last_id": self._last_id, "sequence": self._sequence}), encoding="utf-8"
        )
        os.replace(temporary, self._state_file)
