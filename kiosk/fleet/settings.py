"""What one fleet server process is told at start (it keeps no other state)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class FleetSettings:
    """The database, the update repository, and the alert thresholds."""

    database_url: str = "sqlite:///fleet.sqlite3"
    repository: Path | None = None
    """The TUF repository folder: advancing a rollout stages its targets metadata there."""
    keys: Path | None = None
    """Where the snapshot and timestamp keys are (to release once administrators signed)."""
    tours: Path | None = None
    """Where bundle tours are kept for sign-off: `<tours>/<bundle>/` as `kiosk bundle tour
    --out` writes it."""
    offline_after: float = 900.0
    """Seconds without a heartbeat before a kiosk counts as offline."""
    backlog_alert: int = 3
    """Heartbeats in a row with a growing outbox backlog before it is an alert."""
    session_hours: float = 8.0
    tick_interval: float = 30.0
    """Seconds between checks of running rollouts (halt, or advance on schedule)."""
    list_page: int = 500
    """Kiosks a page of the console's kiosk list shows."""
    heartbeat_window: float = 0.25
    """PostgreSQL: seconds a heartbeat may wait for others to be written in one statement with
    it (group commit; each is answered once its group committed). 0 writes each at once."""
    secure_cookies: bool = False
    """Mark the console's cookies Secure (behind TLS)."""
    clock: Callable[[], float] = field(default=time.time)
