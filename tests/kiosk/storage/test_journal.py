"""The journal: append-only, queryable, and never stores an ID or phone number."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from kiosk.clock import ManualClock
from kiosk.storage.database import Database
from kiosk.storage.journal import SqliteJournal
from peripherals.id_card.id_number import check_character


def invented_id(first17: str = "11010519491231002") -> str:
    """An invented resident ID number with a valid GB 11643 check character."""
    return first17 + check_character(first17)


PERSONAL = re.compile(rb"\d{17}[\dXx]|1\d{10}")
PHONE = "13912345678"


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    database = Database.in_dir(tmp_path)
    yield database
    database.close()


def test_entries_are_recorded_and_queried_by_session(db: Database) -> None:
    clock = ManualClock(1_800_000_000)
    journal = SqliteJournal(db, terminal="gx-0001", clock=clock)
    journal.record("s1", "si-certificate", "consent", "answered", {"value": "yes"})
    clock.advance(3)
    journal.record("s2", "utility-bill", "account", "answered")
    journal.record("s1", "si-certificate", "print", "printed", {"pages": 2})
    entries = journal.by_session("s1")
    assert [(e.step, e.event, e.detail) for e in entries] == [
        ("consent", "answered", {"value": "yes"}),
        ("print", "printed", {"pages": 2}),
    ]
    assert entries[1].time == 1_800_000_003
    assert entries[0].terminal == "gx-0001"
    assert [e.session for e in journal.recent(2)] == ["s1", "s2"]
    assert journal.count() == 3


def test_update_and_delete_are_refused_by_the_database(db: Database) -> None:
    journal = SqliteJournal(db, terminal="gx-0001")
    journal.record("s1", "f", "step", "event", {"a": 1})
    assert journal.flush()
    with pytest.raises(sqlite3.DatabaseError, match="append-only"), db.transaction() as conn:
        conn.execute("UPDATE journal SET event = 'forged'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"), db.transaction() as conn:
        conn.execute("DELETE FROM journal")
    assert [e.event for e in journal.recent()] == ["event"]


def test_id_and_phone_numbers_never_reach_the_disk(tmp_path: Path, db: Database) -> None:
    id_number = invented_id()
    journal = SqliteJournal(db, terminal="gx-0001")
    journal.record(
        f"session-{PHONE}",
        "si-certificate",
        "identify",
        f"read card {id_number}",
        {
            "resident": {"id_number": id_number, "phones": [PHONE, int(PHONE)]},
            id_number: "as a key",
            "note": f"call {PHONE} about {id_number.lower()}",
            "pages": 2,
        },
    )
    (entry,) = journal.recent()
    assert entry.detail["pages"] == 2
    assert entry.detail["resident"]["id_number"] == "110***********" + id_number[-4:]
    assert entry.detail["resident"]["phones"] == ["139****5678", "139****5678"]
    assert "call 139****5678" in entry.detail["note"]
    assert id_number[-4:] in entry.event and id_number not in entry.event
    db.close()
    written = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert PERSONAL.search(id_number.encode())  # the scan would see the raw number
    assert not PERSONAL.search(written)


def test_a_session_whose_id_has_a_run_of_digits_keeps_its_entries(db: Database) -> None:
    """One session id in a thousand ends in twelve digits, which look like a card number."""
    journal = SqliteJournal(db, terminal="gx-0001", clock=ManualClock(1000.0))
    session = "85e4660d-6ff1-41ef-b604-818500592198"
    journal.record(session, "resident-feedback", "topic", "answered")
    assert [e.event for e in journal.by_session(session)] == ["answered"]


def test_recording_never_waits_for_the_disk(db: Database) -> None:
    """The engine records from the touch screen's event loop: a busy database must not stop it."""
    journal = SqliteJournal(db, terminal="gx-0001")
    with db.transaction():  # another writer holds the database (a long fsync, say)
        for number in range(50):
            journal.record("s1", "f", f"step{number}", "entered")
        # still held: the entries wait in the journal's queue, the caller did not
    assert journal.count() == 50
    assert [e.step for e in journal.by_session("s1")][:3] == ["step0", "step1", "step2"]


def test_entries_of_a_step_are_committed_together(db: Database) -> None:
    journal = SqliteJournal(db, terminal="gx-0001")
    commits: list[str] = []
    with db.transaction() as conn:  # held while the step records, as a slow disk would
        conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
        for number in range(20):
            journal.record("s1", "f", "step", f"event{number}")
    try:
        assert journal.flush()
    finally:
        with db.reading() as conn:
            conn.set_trace_callback(None)
    assert journal.count() == 20
    # this test's own, perhaps one for the first entry (taken before the others arrived), and
    # one for the rest: not twenty
    assert len(commits) <= 3


def test_closing_the_database_writes_what_was_recorded(tmp_path: Path) -> None:
    database = Database.in_dir(tmp_path)
    journal = SqliteJournal(database, terminal="gx-0001")
    for number in range(10):
        journal.record("s1", "f", "step", f"event{number}")
    database.close()
    reopened = Database.in_dir(tmp_path)
    try:
        assert SqliteJournal(reopened, terminal="gx-0001").count() == 10
    finally:
        reopened.close()
