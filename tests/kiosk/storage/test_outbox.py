"""The outbox against the real demo back office over loopback HTTP."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.backoffice.demo import DemoBackOffice
from kiosk.clock import ManualClock
from kiosk.flow.services import BackendError
from kiosk.storage.database import Database
from kiosk.storage.outbox import OutboxWorker, SqliteOutbox, payload_digest

START = 1_800_000_000.0
FEEDBACK = {"category": "environment", "text": "3号楼路灯不亮", "contact": "13912345678"}
LEASE = 60.0
ERASE_DELAY = 0.01
"""Seconds an erased payload may stay in old WAL frames (the kiosk's own is a moment longer)."""


@pytest.fixture
def demo() -> Iterator[DemoBackOffice]:
    with DemoBackOffice() as office:
        yield office


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


class Kiosk:
    """One run of the kiosk software: a database and an outbox over it; `restart` reopens."""

    def __init__(self, data_dir: Path, demo: DemoBackOffice, clock: ManualClock) -> None:
        self.data_dir, self.demo, self.clock = data_dir, demo, clock
        self.open()

    def open(self) -> None:
        self.db = Database.in_dir(self.data_dir, erase_delay=ERASE_DELAY)
        self.outbox = SqliteOutbox(
            self.db,
            {"feedback": self.demo.backend(timeout=2)},
            clock=self.clock,
            rand=lambda: 0.5,  # no jitter: a predictable schedule
            submit_timeout=2,
            base_delay=10,
            lease=LEASE,
        )

    def restart(self) -> None:
        self.close()
        self.open()

    def close(self) -> None:
        self.outbox.close()
        self.db.close()


@pytest.fixture
def kiosk(tmp_path: Path, demo: DemoBackOffice, clock: ManualClock) -> Iterator[Kiosk]:
    k = Kiosk(tmp_path / "data", demo, clock)
    yield k
    k.close()


async def test_delivered_at_once_keeps_only_a_digest(kiosk: Kiosk, demo: DemoBackOffice) -> None:
    path = "/feedback?contact=13912345678"  # a templated path can carry personal data too
    result = await kiosk.outbox.submit("feedback", path, FEEDBACK, "key-1")
    assert result.status == "delivered"
    assert result.reply["ticket"].startswith("FB")
    entry = kiosk.outbox.get(result.reference)
    assert entry is not None and entry.status == "delivered" and not entry.has_payload
    text = json.dumps(FEEDBACK, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert entry.digest == payload_digest(text)
    assert base64.b32decode(entry.digest.upper() + "====") == hashlib.sha256(text.encode()).digest()
    assert not re.search(r"1\d{10}", entry.digest)
    assert [r.body for r in demo.received("/feedback")] == [FEEDBACK]
    kiosk.db.close()
    stored = b"".join(p.read_bytes() for p in kiosk.data_dir.iterdir())
    assert "路灯".encode() not in stored and b"13912345678" not in stored


async def test_back_office_down_queues_then_delivers_once_when_back(
    kiosk: Kiosk, demo: DemoBackOffice, clock: ManualClock
) -> None:
    demo.set_down(True)
    result = await kiosk.outbox.submit("feedback", "/feedback", FEEDBACK, "key-2")
    assert result.status == "queued"
    assert len(result.reference) >= 13
    entry = kiosk.outbox.get(result.reference)
    assert entry is not None and entry.status == "pending" and entry.has_payload
    assert entry.last_error is not None and "backend.unreachable" in entry.last_error
    demo.set_down(False)
    assert kiosk.outbox.deliver_due() == 0  # not due yet: the backoff is respected
    clock.advance(10)
    assert kiosk.outbox.deliver_due() == 1
    assert kiosk.outbox.deliver_due() == 0
    assert len(demo.received("/feedback")) == 1
    assert kiosk.outbox.counts() == {"pending": 0, "delivered": 1, "dead": 0}


async def test_resubmitting_the_same_key_sends_nothing_new(
    kiosk: Kiosk, demo: DemoBackOffice
) -> None:
    first = await kiosk.outbox.submit("feedback", "/feedback", FEEDBACK, "key-3")
    again = await kiosk.outbox.submit("feedback", "/feedback", FEEDBACK, "key-3")
    assert (again.reference, again.status) == (first.reference, "delivered")
    assert demo.requests_with_key("key-3") == 1


def test_concurrent_deliver_due_sends_each_row_once(
    kiosk: Kiosk, demo: DemoBackOffice, clock: ManualClock
) -> None:
    demo.set_down(True)
    reference = kiosk.outbox.submit_sync("feedback", "/feedback", FEEDBACK, "key-4").reference
    demo.set_down(False)
    clock.advance(10)
    demo.hold()  # the first sender's request stays in flight while the second one runs
    counts: list[int] = []
    first = threading.Thread(target=lambda: counts.append(kiosk.outbox.deliver_due()))
    first.start()
    try:
        assert demo.wait_requests(1, timeout=5)
        assert kiosk.outbox.deliver_due() == 0
    finally:
        demo.release()
        first.join()
    assert counts == [1]
    assert demo.requests_with_key("key-4") == 1
    entry = kiosk.outbox.get(reference)
    assert entry is not None and entry.status == "delivered"


def test_two_senders_that_both_saw_the_row_due_send_it_once(
    kiosk: Kiosk, demo: DemoBackOffice, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo.set_down(True)
    kiosk.outbox.submit_sync("feedback", "/feedback", FEEDBACK, "key-4b")
    demo.set_down(False)
    clock.advance(10)
    # Both passes have listed the row as due before either claims it: the worst interleaving.
    both_listed = threading.Barrier(2, timeout=5)
    claim = kiosk.outbox._claim

    def claim_after_both_listed(row_id: int):  # type: ignore[no-untyped-def]
        both_listed.wait()
        return claim(row_id)

    monkeypatch.setattr(kiosk.outbox, "_claim", claim_after_both_listed)
    counts: list[int] = []
    senders = [
        threading.Thread(target=lambda: counts.append(kiosk.outbox.deliver_due())) for _ in range(2)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert sorted(counts) == [0, 1]
    assert demo.requests_with_key("key-4b") == 1


@pytest.mark.parametrize("how", ["refuse", "503"])
def test_backoff_schedule_grows(
    kiosk: Kiosk, demo: DemoBackOffice, clock: ManualClock, how: str
) -> None:
    demo.set_down(True, how=how)  # type: ignore[arg-type]
    reference = kiosk.outbox.submit_sync("feedback", "/feedback", FEEDBACK, "key-6").reference
    delays = []
    for attempt in range(1, 6):
        entry = kiosk.outbox.get(reference)
        assert entry is not None and entry.attempts == attempt and entry.status == "pending"
        delays.append(entry.next_attempt_at - clock.now())
        clock.set(entry.next_attempt_at)
        assert kiosk.outbox.deliver_due() == 0
    assert delays == [10, 20, 40, 80, 160]
    demo.set_down(False)
    clock.advance(320)
    assert kiosk.outbox.deliver_due() == 1


def test_jitter_spreads_retries() -> None:
    outbox_values = [0.0, 0.999]
    with Database(Path(":memory:")) as db:
        spread = [
            SqliteOutbox(db, {}, rand=lambda v=v: v, base_delay=100, jitter=0.25).backoff(3)
            for v in outbox_values
        ]
    assert spread[0] == pytest.approx(300) and spread[1] == pytest.approx(500, rel=0.01)


async def test_rejected_submission_is_dead_with_its_reason(
    kiosk: Kiosk, demo: DemoBackOffice, clock: ManualClock
) -> None:
    with pytest.raises(BackendError) as caught:
        await kiosk.outbox.submit("feedback", "/feedback", {"text": ""}, "key-7")
    assert caught.value.key == "backend.rejected"
    (entry,) = kiosk.outbox.entries(status="dead")
    assert entry.last_error is not None
    assert "HTTP 422" in entry.last_error and "missing_text" in entry.last_error
    clock.advance(10_000)
    assert kiosk.outbox.deliver_due() == 0
    assert demo.requests_with_key("key-7") == 1


async def test_unknown_backend_stores_nothing(kiosk: Kiosk) -> None:
    with pytest.raises(BackendError) as caught:
        await kiosk.outbox.submit("tax", "/returns", {"x": 1}, "key-8")
    assert caught.value.key == "backend.unknown"
    assert kiosk.outbox.entries() == []


def test_queued_submission_survives_reopening(
    kiosk: Kiosk, demo: DemoBackOffice, clock: ManualClock
) -> None:
    demo.set_down(True)
    reference = kiosk.outbox.submit_sync("feedback", "/feedback", FEEDBACK, "key-9").reference
    kiosk.restart()
    (entry,) = kiosk.outbox.entries()
    assert (entry.reference, entry.status, entry.has_payload) == (reference, "pending", True)
    demo.set_down(False)
    clock.advance(10)
    assert kiosk.outbox.deliver_due() == 1
    assert [r.body for r in demo.received("/feedback")] == [FEEDBACK]


def test_worker_delivers_in_the_background(
    kiosk: Kiosk, demo: DemoBackOffice, clock: ManualClock
) -> None:
    demo.fail_next(1)
    reference = kiosk.outbox.submit_sync("feedback", "/feedback", FEEDBACK, "key-10").reference
    with OutboxWorker(kiosk.outbox, clock=clock) as worker:
        assert worker.run_pass()
        entry = kiosk.outbox.get(reference)
        assert entry is not None and entry.status == "pending"  # not yet due
        clock.advance(10)
        assert worker.run_pass()
    entry = kiosk.outbox.get(reference)
    assert entry is not None and entry.status == "delivered"
    assert len(demo.received("/feedback")) == 1


async def test_a_key_reused_with_another_payload_is_refused_not_answered_with_the_first(
    kiosk: Kiosk, demo: DemoBackOffice
) -> None:
    first = await kiosk.outbox.submit("feedback", "/feedback", FEEDBACK, "session-1:f/send:1")
    again = await kiosk.outbox.submit("feedback", "/feedback", FEEDBACK, "session-1:f/send:1")
    assert again.reference == first.reference  # the same submission retried: delivered once
    other = {**FEEDBACK, "text": "楼道灯也不亮"}
    with pytest.raises(BackendError) as refused:
        await kiosk.outbox.submit("feedback", "/feedback", other, "session-1:f/send:1")
    assert refused.value.key == "backend.duplicate_key"
    assert len(demo.received("/feedback")) == 1


def _files_hold(data_dir: Path, needle: bytes) -> list[str]:
    """The database files (main, WAL, shared memory) whose bytes contain `needle`."""
    return [p.name for p in sorted(data_dir.iterdir()) if needle in p.read_bytes()]


def _files_hold_after_erasing(data_dir: Path, needle: bytes) -> list[str]:
    """`_files_hold` once the erased payloads' old WAL frames had time to be checkpointed away
    (`ERASE_DELAY`; polled, with a deadline)."""
    deadline = time.monotonic() + ERASE_DELAY + 2.0
    while (held := _files_hold(data_dir, needle)) and time.monotonic() < deadline:
        threading.Event().wait(0.02)
    return held


async def test_a_delivered_payload_is_in_no_file_a_moment_later_not_even_old_wal_frames(
    kiosk: Kiosk, demo: DemoBackOffice
) -> None:
    canary = "金丝雀-payload-7d1e"
    result = await kiosk.outbox.submit("feedback", "/feedback", {"text": canary}, "wal-1")
    assert result.status == "delivered"
    # the kiosk is still running: nothing closed, nothing checkpointed by a close
    assert _files_hold_after_erasing(kiosk.data_dir, canary.encode()) == []


def test_a_kill_after_an_erase_leaves_nothing_once_the_kiosk_starts_again(tmp_path: Path) -> None:
    import subprocess
    import sys

    canary = "金丝雀-killed-91f3"
    # another process writes and erases, then dies without closing: the WAL keeps old frames
    script = f"""
import os, sqlite3
conn = sqlite3.connect({str(tmp_path / "kiosk.sqlite3")!r}, isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL"); conn.execute("PRAGMA wal_autocheckpoint=0")
conn.execute("PRAGMA secure_delete=ON")
conn.execute("CREATE TABLE t (payload TEXT)")
conn.execute("INSERT INTO t VALUES (?)", ({canary!r} * 50,))
conn.execute("UPDATE t SET payload = NULL")
os._exit(0)
"""
    subprocess.run([sys.executable, "-c", script], check=True)
    assert "kiosk.sqlite3-wal" in _files_hold(tmp_path, canary.encode())
    db = Database.in_dir(tmp_path)
    try:
        db.version("outbox")  # opening is enough
        assert _files_hold(tmp_path, canary.encode()) == []
    finally:
        db.close()


async def test_the_back_offices_own_reference_is_kept_at_once_and_after_a_queue(
    kiosk: Kiosk, demo: DemoBackOffice, clock: ManualClock
) -> None:
    now = await kiosk.outbox.submit("feedback", "/feedback", FEEDBACK, "key-r1", "ticket")
    assert now.remote_reference == now.reply["ticket"] and now.remote_reference.startswith("FB")
    demo.set_down(True)
    later = await kiosk.outbox.submit("feedback", "/feedback", FEEDBACK, "key-r2", "ticket")
    assert later.status == "queued" and later.remote_reference is None
    demo.set_down(False)
    clock.advance(10)
    assert kiosk.outbox.deliver_due() == 1
    entry = kiosk.outbox.get(later.reference)
    assert entry is not None and entry.remote_reference is not None
    assert (
        entry.remote_reference.startswith("FB") and entry.remote_reference != now.remote_reference
    )


async def test_a_submission_to_a_missing_route_is_a_configuration_fault_not_the_residents(
    kiosk: Kiosk, demo: DemoBackOffice
) -> None:
    with pytest.raises(BackendError) as caught:
        await kiosk.outbox.submit("feedback", "/allowances", {"x": 1}, "key-404")
    assert caught.value.key == "backend.not_found"
    (entry,) = kiosk.outbox.entries(status="dead")
    assert entry.last_error is not None and "HTTP 404" in entry.last_error


async def test_submissions_arriving_together_share_commits_and_each_is_stored_before_sent(
    kiosk: Kiosk, demo: DemoBackOffice
) -> None:
    """Group commit: twelve residents' submissions at once cost fewer fsyncs than twelve, and
    still none reaches the back office before it is on disk, nor stays on disk once delivered."""
    import asyncio
    import sqlite3

    commits: list[str] = []
    with kiosk.db.reading() as conn:
        conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    seen_on_disk: list[bool] = []
    send = kiosk.outbox._session.request

    def checked_request(*args: object, **kwargs: object) -> object:
        key = kwargs["headers"]["Idempotency-Key"]  # type: ignore[index]
        other = sqlite3.connect(kiosk.db.path)  # another reader sees only what is committed
        try:
            row = other.execute("SELECT 1 FROM outbox WHERE idempotency_key = ?", (key,))
            seen_on_disk.append(row.fetchone() is not None)
        finally:
            other.close()
        return send(*args, **kwargs)

    kiosk.outbox._session.request = checked_request  # type: ignore[method-assign]
    canaries = [f"金丝雀-group-{n}" for n in range(12)]
    try:
        results = await asyncio.gather(
            *(
                kiosk.outbox.submit("feedback", "/feedback", {"text": text}, f"group-{n}")
                for n, text in enumerate(canaries)
            )
        )
    finally:
        with kiosk.db.reading() as conn:
            conn.set_trace_callback(None)
    assert [r.status for r in results] == ["delivered"] * 12
    assert seen_on_disk == [True] * 12
    assert len(commits) < 24  # a store and a mark each, were every commit its own
    assert len({r.reference for r in results}) == 12
    for text in canaries:
        assert _files_hold_after_erasing(kiosk.data_dir, text.encode()) == []


def test_a_batch_stores_everything_first_and_tries_an_unreachable_back_office_once(
    kiosk: Kiosk, demo: DemoBackOffice
) -> None:
    """Submissions asked together are all on disk before the first is sent; once the back
    office cannot be reached, the rest of the batch is queued without another wait for it."""
    import sqlite3

    from kiosk.storage.outbox import _Asked

    demo.set_down(True)
    on_disk_at_first_try: list[int] = []
    send = kiosk.outbox._session.request

    def counted_request(*args: object, **kwargs: object) -> object:
        other = sqlite3.connect(kiosk.db.path)  # another reader sees only what is committed
        try:
            on_disk_at_first_try.append(other.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])
        finally:
            other.close()
        return send(*args, **kwargs)

    kiosk.outbox._session.request = counted_request  # type: ignore[method-assign]
    asked = [_Asked("feedback", "/feedback", {"text": f"路灯-{n}"}, f"down-{n}") for n in range(3)]
    asked.insert(1, _Asked("nowhere", "/feedback", {"text": "x"}, "down-x"))
    answers = kiosk.outbox.submit_all(asked)
    assert on_disk_at_first_try == [3]  # one try, with all three already committed
    assert isinstance(answers[1], BackendError) and answers[1].key == "backend.unknown"
    queued = [answers[0], *answers[2:]]
    assert [getattr(a, "status", a) for a in queued] == ["queued"] * 3
    for answer in queued:
        entry = kiosk.outbox.get(answer.reference)  # type: ignore[union-attr]
        assert entry is not None and entry.status == "pending" and entry.has_payload
        assert entry.last_error is not None and "backend.unreachable" in entry.last_error
    demo.set_down(False)
    kiosk.clock.advance(10)
    assert kiosk.outbox.deliver_due() == 3
    assert sorted(r.body["text"] for r in demo.received("/feedback")) == [
        "路灯-0",
        "路灯-1",
        "路灯-2",
    ]


def test_a_payload_that_cannot_be_sent_is_refused_alone_in_its_batch(
    kiosk: Kiosk, demo: DemoBackOffice
) -> None:
    from kiosk.storage.outbox import _Asked

    answers = kiosk.outbox.submit_all(
        [
            _Asked("feedback", "/feedback", {"when": object()}, "odd-1"),
            _Asked("feedback", "/feedback", {"text": "路灯"}, "odd-2"),
        ]
    )
    assert isinstance(answers[0], TypeError)
    assert getattr(answers[1], "status", None) == "delivered"
    assert kiosk.outbox.counts() == {"pending": 0, "delivered": 1, "dead": 0}
