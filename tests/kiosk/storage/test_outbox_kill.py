"""Kill a real kiosk process at random points while it submits; nothing may be lost or doubled.

The kiosk (`kill_worker.py`: the real services, outbox and outbox worker on SQLite) submits
numbered feedback to the demo back office, which keeps its idempotency keys on disk, and is
SIGKILLed after a random number of steps, again and again; in some rounds the back office is
failing, so submissions wait in the outbox across kills. Then the outbox drains. Counted: what
residents sent, what they were told was sent, what the back office took once, twice, never.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from kiosk.backoffice.demo import DemoBackOffice

ROUNDS = 14
WORKER = Path(__file__).with_name("kill_worker.py")
REPO = Path(__file__).resolve().parents[3]


def _worker(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args], stdout=subprocess.PIPE, text=True, env=env
    )


def test_sigkill_at_random_points_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    chance = random.Random(20261205)
    log = tmp_path / "residents.log"
    log.touch()
    with DemoBackOffice(ledger=tmp_path / "back-office.sqlite3") as office:
        config = tmp_path / "kiosk.toml"
        config.write_text(
            f'simulate = false\ndata_dir = "{tmp_path / "data"}"\n'
            f'[backends.feedback]\nbase_url = "{office.url}"\ntoken = "{office.token}"\n'
            "timeout = 2\n",
            encoding="utf-8",
        )
        first = 1
        for round_number in range(ROUNDS):
            failing = round_number % 3 == 1
            office.set_down(failing, how="503")
            kiosk = _worker("submit", str(config), str(first), str(log))
            assert kiosk.stdout is not None
            for _ in range(chance.randint(1, 9)):  # steps before the plug is pulled
                if not kiosk.stdout.readline():
                    break
            kiosk.send_signal(signal.SIGKILL)
            kiosk.wait()
            kiosk.stdout.close()
            intents = [int(line.split()[1]) for line in log.read_text().splitlines()]
            first = max(intents, default=0) + 1
        office.set_down(False)
        drained = _worker("drain", str(config))
        drained.communicate(timeout=60)
        assert drained.returncode == 0
        taken = Counter(r.body["text"] for r in office.received("/feedback"))
    lines = [line.split() for line in log.read_text().splitlines()]
    sent = {int(parts[1]) for parts in lines if parts[0] == "I"}
    told = {int(parts[1]) for parts in lines if parts[0] == "A"}
    got = Counter({int(text.split()[1]): n for text, n in taken.items()})
    duplicated = sorted(n for n, times in got.items() if times > 1)
    lost = sorted(told - set(got))
    phantom = sorted(set(got) - sent)
    report = (
        f"{ROUNDS} kills: {len(sent)} sent, {len(told)} acknowledged, {len(got)} delivered, "
        f"{len(duplicated)} duplicated, {len(lost)} lost"
    )
    print(report)
    assert (duplicated, lost, phantom) == ([], [], []), report
    assert len(told) >= ROUNDS  # the kills did land between submissions, not only at start
