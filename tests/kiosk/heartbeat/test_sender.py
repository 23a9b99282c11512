"""The kiosk's heartbeat: its schedule, its counts from the journal, and the outbox when offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from kiosk.clock import ManualClock
from kiosk.config import BackendConfig, Secret
from kiosk.fleet.models import Heartbeat, Kiosk
from kiosk.heartbeat.report import tally
from kiosk.heartbeat.sender import HeartbeatSender, Identity, next_delay
from kiosk.storage.database import Database
from kiosk.storage.journal import SqliteJournal
from kiosk.storage.outbox import SqliteOutbox
from peripherals.status import Health, State
from tests.kiosk.fleet.conftest import Server, start_server
from tests.support.asgi import serving

START = 1_800_000_000.0


class FakeHealth:
    """Devices whose health the test sets."""

    def __init__(self) -> None:
        self.printer = Health(State.ONLINE)

    def __call__(self) -> dict[str, Any]:
        return {"printer": self.printer, "id_card": Health(State.ONLINE)}


def _sender(
    data: Path, url: str, token: str, clock: ManualClock, health: FakeHealth
) -> tuple[HeartbeatSender, SqliteJournal, SqliteOutbox, Database]:
    db = Database.in_dir(data)
    journal = SqliteJournal(db, "gx-0100", clock)
    outbox = SqliteOutbox(
        db,
        {"fleet": BackendConfig(base_url=url, token=Secret(token), timeout=2)},
        clock=clock,
        rand=lambda: 0.5,
        submit_timeout=2,
        base_delay=10,
        lease=60,
    )
    sender = HeartbeatSender(
        Identity("gx-0100", "government", "canary", "0.1.0"),
        outbox=outbox,
        journal=journal,
        health=health,
        update=lambda: (4, "current"),
        state_file=data / "heartbeat.json",
        clock=clock,
        interval=300,
        jitter=0.2,
        rand=lambda: 0.5,
    )
    return sender, journal, outbox, db


def _sessions(journal: SqliteJournal, flow: str, outcomes: list[str]) -> None:
    for n, status in enumerate(outcomes):
        session = f"00000000-0000-4000-8000-{n:012d}"
        journal.record(session, flow, "", "started", {"language": "zh_CN"})
        journal.record(session, flow, "done", "ended", {"status": status})


def test_the_schedule_spreads_kiosks_around_the_interval() -> None:
    assert next_delay(300, 0.2, lambda: 0.0) == 240
    assert next_delay(300, 0.2, lambda: 0.5) == 300
    assert next_delay(300, 0.2, lambda: 1.0) == 360


def test_heartbeats_report_counts_once_and_wait_in_the_outbox_while_offline(
    tmp_path: Path,
) -> None:
    clock = ManualClock(START)
    health = FakeHealth()
    fleet, server_clock, app = start_server(f"sqlite:///{tmp_path / 'fleet.sqlite3'}")
    with serving(app) as url:
        server = Server(url, fleet, server_clock)
        token = server.provision("gx-0100", district="青秀区", community="南湖社区")
        sender, journal, outbox, db = _sender(tmp_path / "kiosk", url, token, clock, health)
        try:
            assert sender.tick() is None  # not due yet: the first waits a jittered while
            clock.advance(300)
            _sessions(journal, "si-certificate", ["completed", "failed", "completed"])
            first = sender.tick()
            assert first is not None and first.status == "delivered"
            clock.advance(10)
            assert sender.tick() is None  # the next is a whole interval away
        except BaseException:
            db.close()
            raise
    # the server is gone: the next heartbeat waits in the outbox with its counts
    port = int(url.rsplit(":", 1)[1])
    try:
        clock.advance(300)
        health.printer = Health(State.MEDIA_PROBLEM, "printer.paper_out", "paper out")
        _sessions(journal, "resident-feedback", ["failed"])
        second = sender.tick()
        assert second is not None and second.status == "queued"
        assert outbox.counts()["pending"] == 1
        with serving(app, port=port):
            clock.advance(60)
            assert outbox.deliver_due() == 1
    finally:
        outbox.close()
        db.close()
    with fleet.db() as fdb:
        kiosk = fdb.scalar(select(Kiosk).where(Kiosk.terminal == "gx-0100"))
        assert kiosk is not None
        assert (kiosk.group, kiosk.bundle, kiosk.paper) == ("canary", 4, "out")
        assert kiosk.faults == ["printer.paper_out"]
        beats = list(fdb.scalars(select(Heartbeat).order_by(Heartbeat.id)))
        assert [(b.sessions, b.failures) for b in beats] == [(3, 1), (1, 1)]
    fleet.engine.dispose()


def test_a_rolled_back_bundle_and_aborted_sessions_are_counted() -> None:
    class Line:
        def __init__(self, id: int, flow: str, event: str, status: str = "") -> None:
            self.id, self.flow, self.event = id, flow, event
            self.detail = {"status": status} if status else {}

    lines = [
        Line(1, "a", "started"),
        Line(2, "a", "ended", "aborted"),
        Line(3, "", "bundle_rolled_back"),
        Line(4, "b", "started"),
    ]
    counts = tally(lines, after=1)
    assert counts.rollbacks == 1 and counts.last_id == 4
    assert counts.flows["a"].failures == 1 and counts.flows["a"].sessions == 0
    assert counts.flows["b"].sessions == 1
