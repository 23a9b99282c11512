"""Fixtures for the voice tests: the device rig and the engine's services."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

# test modules import `voice_rig` from this folder (the test dirs are not packages)
sys.path.insert(0, os.path.dirname(__file__))

from voice_rig import RigFactory, make_rig_factory


@pytest.fixture
async def make_rig() -> AsyncIterator[RigFactory]:
    """Build a rig: `make_rig(recognizer=True, speaker=HeldSpeaker())`; devices closed after."""
    with ExitStack() as stack:
        yield make_rig_factory(asyncio.get_running_loop(), stack)


@pytest.fixture
def engine_services(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The demo back office, SQLite journal and outbox, as `kiosk flows run` sets them up."""
    from kiosk.backoffice.client import HttpBackends
    from kiosk.backoffice.demo import DemoBackOffice
    from kiosk.storage.database import Database
    from kiosk.storage.journal import SqliteJournal
    from kiosk.storage.outbox import SqliteOutbox

    with ExitStack() as stack:
        demo = stack.enter_context(DemoBackOffice())
        fallback = demo.backend()
        db = Database.in_dir(tmp_path)
        stack.callback(db.close)
        backends = stack.enter_context(HttpBackends({}, fallback=fallback))
        outbox = SqliteOutbox(db, {}, fallback=fallback, submit_timeout=3.0)
        stack.callback(outbox.close)
        journal = SqliteJournal(db, "voice-test")
        yield {"backends": backends, "outbox": outbox, "journal": journal, "demo": demo}
