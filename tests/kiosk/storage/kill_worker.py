"""A kiosk process for the kill test (run as a script; the test SIGKILLs it at random points).

`submit CONFIG FIRST LOG`: the kiosk's own services (KioskServices: database, outbox, outbox
worker) from CONFIG; submits feedback FIRST, FIRST+1, ... for ever, each under its own
idempotency key. Before each it appends `I n` to LOG (the resident pressed send), after it
`A n status` (the resident was shown a reference); both fsynced, and echoed on stdout.

`drain CONFIG`: a day later, the outbox delivers everything still pending, then the process ends.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from kiosk.app import KioskServices
from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.storage.database import Database
from kiosk.storage.outbox import SqliteOutbox


def _note(log: Path, line: str) -> None:
    with log.open("a", encoding="utf-8") as file:
        file.write(line + "\n")
        file.flush()
        os.fsync(file.fileno())
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def submit(config_path: Path, first: int, log: Path) -> None:
    config = load_config(config_path)
    with KioskServices(config, device_kinds=set(), submit_timeout=2.0) as services:
        number = first
        while True:
            _note(log, f"I {number}")
            body = {"category": "other", "text": f"kill-test {number}"}
            sent = asyncio.run(
                services.outbox.submit("feedback", "/feedback", body, f"kill:{number}")
            )
            _note(log, f"A {number} {sent.status}")
            number += 1


def drain(config_path: Path) -> None:
    config = load_config(config_path)
    db = Database.in_dir(config.data_dir)
    later = ManualClock(start=2_000_000_000.0)  # every retry due, every lease long expired
    outbox = SqliteOutbox(db, dict(config.backends), clock=later)
    try:
        while outbox.counts()["pending"]:
            if not outbox.deliver_due():
                later.advance(86_400)
        sys.stdout.write(f"{outbox.counts()}\n")
    finally:
        outbox.close()
        db.close()


if __name__ == "__main__":
    if sys.argv[1] == "submit":
        submit(Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))
    else:
        drain(Path(sys.argv[2]))
