"""A staged rollout across simulated kiosks: the canary's failures halt it, the rest stay put.

The kiosks are real update agents polling a TUF repository served by nginx; the fleet server
stages each stage's groups in that repository and administrators sign them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from kiosk.fleet.models import Rollout
from kiosk.fleet.publisher import RepositoryPublisher
from kiosk.fleet.reasons import describe
from kiosk.fleet.rollouts import (
    RecordingPublisher,
    RolloutError,
    StageSpec,
    advance,
    parse_stages,
    start,
    stats,
    tick,
)
from kiosk.updates.agent import UpdateAgent
from kiosk.updates.keys import load_signer
from kiosk.updates.repository import Repository, published
from tests.kiosk.updates.conftest import BundleMaker, Served, poll_and_activate, release
from tests.support.asgi import serving
from tests.support.updates import FakeHost, ListJournal

from .conftest import Server, start_server

CANARY = ("gx-c1", "gx-c2")
OTHERS = ("gx-o1", "gx-o2", "gx-o3", "gx-o4")


@contextmanager
def rolling_out(
    database_url: str, kiosks: dict[str, str], **settings: Any
) -> Iterator[tuple[Server, RecordingPublisher, int]]:
    """A fleet server whose kiosks (terminal: group) reported bundle 1, and bundle 2 rolling
    out to `canary` then everyone: the server, where it publishes, the rollout's id."""
    publisher = RecordingPublisher()
    fleet, clock, app = start_server(database_url, publisher, **settings)
    with serving(app) as url:
        server = Server(url, fleet, clock)
        for terminal, group in kiosks.items():
            server.provision(terminal, group=group)
            server.heartbeat(terminal, group=group, bundle=1)
        with fleet.db() as db:
            rollout_id = start(db, 2, parse_stages("canary; 100%"), publisher, clock(), "a").id
        yield server, publisher, rollout_id
    fleet.engine.dispose()


def sign_as_administrators(repo: Repository) -> int:
    """Two administrators sign what the fleet server staged; released."""
    assert repo.keys is not None
    repo.sign_staged(load_signer(repo.keys / "targets-1.key"))
    repo.sign_staged(load_signer(repo.keys / "targets-2.key"))
    return repo.release()


@pytest.fixture
def fleet_server(database_url: str, served: Served) -> Iterator[Server]:
    """A fleet server staging rollouts in the served repository, over SQLite or PostgreSQL."""
    fleet, clock, app = start_server(
        database_url, RepositoryPublisher(served.repo.root, served.repo.keys)
    )
    with serving(app) as url:
        yield Server(url, fleet, clock)
    fleet.engine.dispose()


def test_the_canary_fails_so_the_rollout_halts_and_the_others_keep_the_old_bundle(
    served: Served,
    make_bundle: BundleMaker,
    kiosk: Callable[..., UpdateAgent],
    fleet_server: Server,
) -> None:
    repo = served.repo
    release(repo, make_bundle(1))  # bundle 1 for everyone
    release(repo, make_bundle(2), groups=("nobody",))  # published, given to no kiosk yet
    publisher = fleet_server.fleet.publisher
    assert publisher.bundles() == {1: ("all",), 2: ("nobody",)}  # what the console offers
    agents: dict[str, UpdateAgent] = {}
    for terminal in CANARY + OTHERS:
        group = "canary" if terminal in CANARY else "district_a"
        fleet_server.provision(terminal, district="青秀区", community="南湖社区", group=group)
        agents[terminal] = kiosk(group=group, bundle_dir=str(served.prefix.parent / terminal))
        poll_and_activate(agents[terminal], FakeHost(), ListJournal())
        assert agents[terminal].store.current() == 1
        fleet_server.heartbeat(terminal, group=group, bundle=1)

    with fleet_server.fleet.db() as db:
        rollout = start(
            db,
            2,
            [StageSpec(("canary",), max_failure_excess=0.1), StageSpec(("district_a",))],
            fleet_server.fleet.publisher,
            fleet_server.clock(),
            "admin",
        )
        assert rollout.previous_bundle == 1
        assert "awaits 2" in describe(rollout.reason)  # the server signs nothing kiosks trust
        rollout_id = rollout.id
        with pytest.raises(RolloutError) as refused:  # one staged version at a time
            advance(db, rollout, publisher, fleet_server.clock())
        assert "awaits signatures" in str(refused.value) and rollout.stage == 0
    sign_as_administrators(repo)
    for agent in agents.values():
        poll_and_activate(agent, FakeHost(), ListJournal())
    assert [agents[t].store.current() for t in CANARY] == [2, 2]
    assert [agents[t].store.current() for t in OTHERS] == [1, 1, 1, 1]

    # the canary fails 40% of its sessions, the others on bundle 1 fail 5%
    fleet_server.clock.now += 300
    for terminal in CANARY:
        flows = {"si-certificate": {"sessions": 20, "failures": 8}}
        assert (
            fleet_server.heartbeat(terminal, group="canary", bundle=2, flows=flows).status_code
            == 200
        )
    for terminal in OTHERS:
        flows = {"si-certificate": {"sessions": 20, "failures": 1}}
        fleet_server.heartbeat(terminal, group="district_a", bundle=1, flows=flows)

    with fleet_server.fleet.db() as db:
        tick(db, fleet_server.fleet.publisher, fleet_server.clock())
        rollout = db.get(Rollout, rollout_id)
        assert rollout is not None
        assert rollout.state == "halted"
        reason = describe(rollout.reason, "en")
        assert "failure rate 40% on bundle 2 against 5% on the previous bundle" in reason
        assert "业务包 2 失败率 40%，原业务包 5%" in describe(rollout.reason, "zh_CN")
        numbers = stats(db, rollout, fleet_server.clock())
        assert (numbers.sessions, numbers.failures) == (40, 16)

    # nothing was staged for district_a: polling again, the others stay on bundle 1
    assert not (repo.staging_dir / "targets.json").exists()
    groups = {p.version: p.groups for p in published(repo.latest("targets").signed)}
    assert groups[2] == ("canary",)
    for terminal in OTHERS:
        poll_and_activate(agents[terminal], FakeHost(), ListJournal())
        assert agents[terminal].store.current() == 1


def test_a_healthy_canary_advances_on_its_schedule(tmp_path: Path) -> None:
    publisher = RecordingPublisher()
    fleet, clock, app = start_server(f"sqlite:///{tmp_path / 'f.sqlite3'}", publisher)
    with serving(app) as url:
        server = Server(url, fleet, clock)
        groups = {f"gx-{n:04d}": "canary" if n == 0 else f"wave_{n % 3}" for n in range(10)}
        for terminal, group in groups.items():
            server.provision(terminal, group=group)
        specs = [
            StageSpec(s.groups, s.percent, advance_after=3600)
            for s in parse_stages("canary; 50%; 100%")
        ]
        with fleet.db() as db:
            rollout_id = start(db, 2, specs, publisher, clock(), "admin").id
        for _ in range(3):
            clock.now += 3601
            for terminal, group in groups.items():
                server.heartbeat(terminal, group=group, bundle=2 if group == "canary" else 1,
                                 flows={"x": {"sessions": 5, "failures": 0}})  # fmt: skip
            fleet.tick()  # what each server process does every tick_interval
        with fleet.db() as db:
            assert db.get(Rollout, rollout_id).state == "complete"  # type: ignore[union-attr]
    fleet.engine.dispose()
    assert publisher.published[0] == (2, ["canary"])
    # 50%: the canary and the smallest waves until half the fleet is covered
    assert publisher.published[1] == (2, ["canary", "wave_0", "wave_1"])
    assert publisher.published[2] == (2, ["all"])


def test_each_server_process_halts_a_failing_rollout_by_itself(tmp_path: Path) -> None:
    import time

    kiosks = {"gx-1": "canary", "gx-2": "rest", "gx-3": "rest"}
    url = f"sqlite:///{tmp_path / 'f.sqlite3'}"
    with rolling_out(url, kiosks, tick_interval=0.05) as (server, publisher, rollout_id):
        fleet = server.fleet
        server.heartbeat("gx-1", group="canary", bundle=2, rollbacks=1)
        deadline = time.monotonic() + 10
        while True:
            with fleet.db() as db:
                rollout = db.get(Rollout, rollout_id)
                assert rollout is not None
                if rollout.state != "running" or time.monotonic() > deadline:
                    break
            time.sleep(0.02)  # polling with a deadline for the server's own check
        assert rollout.state == "halted"
        assert "1 kiosk rolled bundle 2 back" in describe(rollout.reason)  # "kiosk(s)": by count
    assert publisher.published == [(2, ["canary"])]  # never widened


def test_one_flow_breaking_halts_the_rollout_though_the_whole_looks_fine(
    database_url: str,
) -> None:
    kiosks = {"gx-f1": "canary", "gx-f2": "canary", "gx-f3": "rest"}
    with rolling_out(database_url, kiosks) as (server, publisher, rollout_id):
        fleet, clock = server.fleet, server.clock
        clock.now += 300
        # overall 12/220 (5.5%) against 10/220 (4.5%): within the 5% allowed; but the
        # feedback flow fails 10 of 20 on bundle 2 against 0 of 20 on bundle 1
        for terminal in ("gx-f1", "gx-f2"):
            flows = {
                "si-certificate": {"sessions": 100, "failures": 1},
                "resident-feedback": {"sessions": 10, "failures": 5},
            }
            assert server.heartbeat(terminal, group="canary", bundle=2, flows=flows).is_success
        flows = {
            "si-certificate": {"sessions": 200, "failures": 10},
            "resident-feedback": {"sessions": 20, "failures": 0},
        }
        server.heartbeat("gx-f3", group="rest", bundle=1, flows=flows)
        with fleet.db() as db:
            rollout = db.get(Rollout, rollout_id)
            assert rollout is not None
            numbers = stats(db, rollout, clock())
            assert numbers.excess < 0.05
            assert [(f.flow, f.failures, f.sessions) for f in numbers.flows] == [
                ("resident-feedback", 10, 20),
                ("si-certificate", 2, 200),
            ]
        fleet.tick()
        with fleet.db() as db:
            rollout = db.get(Rollout, rollout_id)
            assert rollout is not None and rollout.state == "halted"
            reason = describe(rollout.reason, "en")
            assert reason.startswith("flow resident-feedback: failure rate 50% on bundle 2")
            assert "(10/20 vs 0/20 sessions)" in reason
    assert publisher.published == [(2, ["canary"])]  # never widened


def test_checks_add_up_each_heartbeat_once_and_a_halt_keeps_the_numbers(tmp_path: Path) -> None:
    from kiosk.fleet.rollouts import SETTLE, halt

    kiosks = {"gx-t1": "canary", "gx-t2": "rest"}
    with rolling_out(f"sqlite:///{tmp_path / 'f.sqlite3'}", kiosks) as (server, _, rollout_id):
        fleet, clock = server.fleet, server.clock
        for _ in range(6):  # heartbeats and checks interleaved over ten minutes
            clock.now += 100
            flows = {"si-certificate": {"sessions": 10, "failures": 1}}
            server.heartbeat("gx-t1", group="canary", bundle=2, flows=flows)
            server.heartbeat("gx-t2", group="rest", bundle=1, flows=flows)
            fleet.tick()
        with fleet.db() as db:
            rollout = db.get(Rollout, rollout_id)
            assert rollout is not None and rollout.state == "running"
            assert rollout.counted_until == clock.now - SETTLE  # the tally holds all but these
            for keep in (False, True):  # as the console reads it, and as a check adds it up
                numbers = stats(db, rollout, clock() + 100, keep=keep)
                assert (numbers.sessions, numbers.failures) == (60, 6)
                assert (numbers.old_sessions, numbers.old_failures) == (60, 6)
                assert [(f.flow, f.sessions) for f in numbers.flows] == [("si-certificate", 60)]
            halt(db, rollout, "by hand", clock())
        clock.now += 100
        server.heartbeat("gx-t1", group="canary", bundle=2, flows=flows)
        with fleet.db() as db:
            rollout = db.get(Rollout, rollout_id)
            assert rollout is not None
            assert stats(db, rollout, clock()).sessions == 60  # as it was when it halted


def test_a_stage_due_while_signatures_are_awaited_waits_for_them(tmp_path: Path) -> None:
    class Awaiting(RecordingPublisher):
        """The repository still holds the first stage's targets, unsigned."""

        def publish(self, bundle: int, groups: list[str]) -> str:
            if self.published:
                raise RolloutError("awaiting_signatures")
            return super().publish(bundle, groups)

    publisher = Awaiting()
    fleet, clock, _app = start_server(f"sqlite:///{tmp_path / 'f.sqlite3'}", publisher)
    specs = [StageSpec(("canary",), advance_after=60), StageSpec(percent=100)]
    with fleet.db() as db:
        rollout_id = start(db, 2, specs, publisher, clock(), "admin").id
    clock.now += 61
    fleet.tick()  # the stage is due: refused for now, tried again at the next check
    with fleet.db() as db:
        rollout = db.get(Rollout, rollout_id)
        assert rollout is not None and (rollout.state, rollout.stage) == ("running", 0)
    assert publisher.published == [(2, ["canary"])]
    fleet.engine.dispose()
