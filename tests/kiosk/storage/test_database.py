"""The SQLite database: created on first use, WAL + full sync, versioned migrations, threads."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.storage.database import Database, StorageError

STEPS = [
    ("CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",),
    ("ALTER TABLE things ADD COLUMN colour TEXT NOT NULL DEFAULT 'red'",),
]


def test_created_on_first_use_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    db = Database.in_dir(tmp_path / "data")
    assert not db.path.exists()
    try:
        with db.reading() as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.path.exists()
    finally:
        db.close()


def test_migrations_run_once_and_continue_where_they_stopped(tmp_path: Path) -> None:
    with Database.in_dir(tmp_path) as db:
        db.migrate("things", STEPS[:1])
        with db.transaction() as conn:
            conn.execute("INSERT INTO things (name) VALUES ('kept')")
        assert db.version("things") == 1
    with Database.in_dir(tmp_path) as db:
        db.migrate("things", STEPS)
        db.migrate("things", STEPS)  # nothing left to do
        assert db.version("things") == 2
        with db.reading() as conn:
            row = conn.execute("SELECT name, colour FROM things").fetchone()
        assert tuple(row) == ("kept", "red")


def test_newer_schema_than_the_code_is_refused(tmp_path: Path) -> None:
    with Database.in_dir(tmp_path) as db:
        db.migrate("things", STEPS)
    with Database.in_dir(tmp_path) as db, pytest.raises(StorageError, match="newer than"):
        db.migrate("things", STEPS[:1])


def test_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    with Database.in_dir(tmp_path) as db:
        db.migrate("things", STEPS)
        with pytest.raises(RuntimeError), db.transaction() as conn:
            conn.execute("INSERT INTO things (name) VALUES ('half')")
            raise RuntimeError("power cut")
        with db.reading() as conn:
            assert conn.execute("SELECT COUNT(*) FROM things").fetchone()[0] == 0


def test_a_commit_without_fsync_lands_and_leaves_the_next_ones_durable(tmp_path: Path) -> None:
    db = Database.in_dir(tmp_path)
    try:
        db.migrate("things", STEPS[:1])
        with db.transaction(durable=False) as conn:
            conn.execute("INSERT INTO things (name) VALUES ('a')")
        with pytest.raises(RuntimeError), db.transaction(durable=False) as conn:
            conn.execute("INSERT INTO things (name) VALUES ('b')")
            raise RuntimeError("undone")
        with db.reading() as conn:
            assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL again
    finally:
        db.close()
    again = Database.in_dir(tmp_path)
    try:
        with again.reading() as conn:
            assert [r[0] for r in conn.execute("SELECT name FROM things")] == ["a"]
    finally:
        again.close()


def test_works_committed_together_land_but_the_one_that_fails(tmp_path: Path) -> None:
    """Group commit: writes waiting for the next commit (`later`) go with it; one that fails is
    undone alone, and whoever waits for the commit gets its own result."""
    with Database.in_dir(tmp_path) as db:
        db.migrate("things", STEPS[:1])

        def insert(name: str | None) -> Callable[[sqlite3.Connection], int]:
            def work(conn: sqlite3.Connection) -> int:
                return int(conn.execute("INSERT INTO things (name) VALUES (?)", (name,)).lastrowid)

            return work

        db.later(insert("early"))
        db.later(insert(None))  # NOT NULL: fails, and only it is undone
        assert db.committed(insert("waited")) > 0
        with db.reading() as conn:
            names = [row[0] for row in conn.execute("SELECT name FROM things ORDER BY id")]
        assert names == ["early", "waited"]


def test_writes_from_many_threads_all_land(tmp_path: Path) -> None:
    with Database.in_dir(tmp_path) as db:
        db.migrate("things", STEPS)
        start = threading.Barrier(4)

        def writer(n: int) -> None:
            start.wait()
            for i in range(25):
                with db.transaction() as conn:
                    conn.execute("INSERT INTO things (name) VALUES (?)", (f"{n}-{i}",))

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with db.reading() as conn:
            assert conn.execute("SELECT COUNT(DISTINCT name) FROM things").fetchone()[0] == 100


def test_use_after_close_is_a_clear_error(tmp_path: Path) -> None:
    db = Database.in_dir(tmp_path)
    db.close()
    with pytest.raises(StorageError, match="closed"), db.reading():
        pass
