"""Kill the back office while the kiosk submits: nothing lost, nothing duplicated.

The back office runs as its own process (`kiosk backoffice --port N --data DIR`); the kiosk's
outbox submits numbered feedback in a thread, each under its own idempotency key. The back office
is SIGKILLed while a submission is in flight (before it reached the back office, or after the
back office kept it but before its reply left), again and again, and started again on the same
port with the same data; then the outbox drains. Counted: what the outbox holds, what the back
office took once, twice, never.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.backoffice.demo import LEDGER_FILE
from kiosk.backoffice.demo_ledger import Ledger
from kiosk.clock import ManualClock
from kiosk.config import BackendConfig, Secret
from kiosk.flow.services import BackendError
from kiosk.storage.database import Database
from kiosk.storage.outbox import SqliteOutbox

ROUNDS = 6
TOKEN = "kill-test-token"
REPLY_DELAY = 0.1
REPO = Path(__file__).resolve().parents[3]


@contextmanager
def _back_office(port: int, data: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """`kiosk backoffice` in its own process; yields it and its port once it serves. Each reply
    to a submission leaves `REPLY_DELAY` after it is kept: a kill can land in between."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "kiosk", "backoffice", "--port", str(port), "--token",
               TOKEN, "--data", str(data), "--reply-delay", str(REPLY_DELAY)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # printed once it accepts connections
        assert line.startswith("demo back office on http://"), line
        yield process, int(line.rsplit(":", 1)[1])
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _until(condition: Callable[[], bool], deadline: float = 10.0) -> bool:
    """Poll `condition` until it holds or `deadline` seconds pass."""
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.005)
    return True


def _taken(data: Path) -> Counter[str]:
    """Feedback texts the back office recorded, and how often."""
    ledger = Ledger(data / LEDGER_FILE)
    try:
        return Counter(r.body["text"] for r in ledger.received("/feedback"))
    finally:
        ledger.close()


class _Resident:
    """Submits feedback 1, 2, 3... through the outbox until told to stop."""

    def __init__(self, outbox: SqliteOutbox) -> None:
        self.outbox = outbox
        self.started = 0
        self.told: dict[int, str] = {}
        self.changed = threading.Condition()
        self.stop = threading.Event()
        self.go = threading.Event()
        """Set while the back office is up: a resident does not queue hundreds while it is down."""
        self.thread = threading.Thread(target=self._run, name="kill-test-resident")

    def _run(self) -> None:
        number = 0
        while not self.stop.is_set():
            self.go.wait()
            number += 1
            with self.changed:
                self.started = number
                self.changed.notify_all()
            body = {"category": "other", "text": f"kill-test {number}"}
            try:
                sent = self.outbox.submit_sync("bo", "/feedback", body, f"kill:{number}", "ticket")
                status = sent.status
            except BackendError as exc:
                status = exc.key
            with self.changed:
                self.told[number] = status

    def wait_started(self, number: int) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.started >= number, timeout=30)


def test_killing_the_back_office_mid_submission_loses_and_duplicates_nothing(
    tmp_path: Path,
) -> None:
    chance = random.Random(20261205)
    data = tmp_path / "backoffice"
    db = Database.in_dir(tmp_path / "kiosk")
    clock = ManualClock(1_800_000_000.0)
    port = 0
    with _back_office(port, data) as (_, port):
        pass  # the port it picked is the one it comes back on
    config = BackendConfig(base_url=f"http://127.0.0.1:{port}", token=Secret(TOKEN), timeout=2)
    outbox = SqliteOutbox(db, {"bo": config}, clock=clock, submit_timeout=2)
    resident = _Resident(outbox)
    kills_mid_request = 0
    try:
        resident.thread.start()
        for round_number in range(ROUNDS):
            with _back_office(port, data) as (office, _):
                resident.go.set()
                target = resident.started + chance.randint(2, 6)
                assert resident.wait_started(target)
                if round_number % 2:  # taken, its reply not yet sent
                    text = f"kill-test {target}"
                    assert _until(lambda text=text: text in _taken(data))
                office.send_signal(signal.SIGKILL)
                resident.go.clear()  # the one after it is sent to a closed port, then a pause
                kills_mid_request += 1
        resident.stop.set()
        resident.go.set()
        resident.thread.join()
        before_drain = _taken(data)
        with _back_office(port, data):
            while outbox.counts()["pending"]:
                if not outbox.deliver_due():
                    clock.advance(86_400)
    finally:
        resident.stop.set()
        resident.go.set()
        if resident.thread.is_alive():
            resident.thread.join()
        outbox.close()
    counts = outbox.counts()
    db.close()
    taken = _taken(data)
    sent = set(resident.told)
    got = Counter({int(text.split()[1]): n for text, n in taken.items()})
    duplicated = sorted(n for n, times in got.items() if times > 1)
    lost = sorted(sent - set(got))
    phantom = sorted(set(got) - set(range(1, resident.started + 1)))
    queued = {n for n, status in resident.told.items() if status == "queued"}
    # taken before the kill, the reply lost with it: the retry got the first reply again
    replayed = sum(f"kill-test {n}" in before_drain for n in queued)
    report = (
        f"{kills_mid_request} kills: {len(sent)} submitted ({len(queued)} queued at the time, "
        f"{replayed} of them taken before the kill and replayed), "
        f"{counts['delivered']} delivered, {len(got)} taken, {len(duplicated)} duplicated, "
        f"{len(lost)} lost"
    )
    print(report)
    assert (duplicated, lost, phantom) == ([], [], []), report
    assert counts == {"pending": 0, "delivered": len(sent), "dead": 0}, report
    assert queued, "the kills never caught a submission: " + report
    assert replayed, "no kill landed between keeping a reply and sending it: " + report
