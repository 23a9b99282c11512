"""Every journal event the kiosk's code writes, noted while a test runs, and those the Journal
page has no words for (`locales/*/journal.yaml`)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from kiosk.maintenance.journal_words import known
from kiosk.storage.journal import SqliteJournal


class WrittenEvents:
    """Notes the events `SqliteJournal.record` is given by the kiosk's own modules (a test's
    own made-up entries are not the code's)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: dict[str, str] = {}
        """Each event written, with the module that wrote it first."""
        original = SqliteJournal.record

        def record(journal: SqliteJournal, *args: Any, **kwargs: Any) -> None:
            writer = sys._getframe(1).f_globals.get("__name__", "")
            if writer.startswith(("kiosk.", "peripherals.")):
                event = args[3] if len(args) > 3 else kwargs.get("event", "")
                self.events.setdefault(str(event), writer)
            original(journal, *args, **kwargs)

        monkeypatch.setattr(SqliteJournal, "record", record)

    def unknown(self) -> dict[str, str]:
        """The events written without a title in every language, with their writers."""
        return {event: writer for event, writer in self.events.items() if not known(event)}
