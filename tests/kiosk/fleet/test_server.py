"""The fleet server on loopback, over SQLite and over a real PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from kiosk.fleet.models import Heartbeat, Kiosk
from tests.support.asgi import serving

from .conftest import Server


def test_a_kiosk_reports_with_its_own_token_only(server: Server) -> None:
    token_a = server.provision("gx-0001", district="青秀区", community="南湖社区")
    server.provision("gx-0002", district="青秀区", community="南湖社区")
    assert server.heartbeat("gx-0001", bundle=3).status_code == 200
    # kiosk A's token cannot speak for kiosk B, and no token speaks for nobody
    assert server.heartbeat("gx-0002", token=token_a).status_code == 403
    assert server.heartbeat("gx-0002", token="made-up").status_code == 403
    no_token = httpx.post(f"{server.url}/api/v1/heartbeats", json={})
    assert no_token.status_code in (401, 422)
    metrics = httpx.get(f"{server.url}/metrics").text
    assert 'kiosk_fleet_kiosks{state="online"} 1' in metrics
    assert 'kiosk_fleet_kiosks{state="offline"} 1' in metrics  # B never reported
    assert 'kiosk_fleet_bundle{bundle="3"} 1' in metrics


def test_a_heartbeat_with_unknown_or_bad_fields_is_refused(server: Server) -> None:
    token = server.provision("gx-0003")
    assert server.heartbeat("gx-0003", name="张三").status_code == 422
    assert server.heartbeat("gx-0003", faults=["<script>"]).status_code == 422
    assert server.heartbeat("gx-0003", sequence=2**40).status_code == 422  # not a 500 later
    url, auth = f"{server.url}/api/v1/heartbeats", {"Authorization": f"Bearer {token}"}
    assert httpx.post(url, content=b"{not json", headers=auth).status_code == 422
    assert httpx.post(url, content=b" " * 70_000, headers=auth).status_code == 413
    assert httpx.get(url, headers=auth).status_code == 405
    assert httpx.post(url, json={}, headers={"Authorization": token}).status_code == 401
    with server.fleet.db() as db:
        assert db.scalar(select(Kiosk.last_seen).where(Kiosk.terminal == "gx-0003")) is None


def test_alerts_for_offline_paper_out_jammed_doors_and_a_growing_backlog(server: Server) -> None:
    for terminal in ("gx-0010", "gx-0011", "gx-0012", "gx-0013"):
        server.provision(terminal, district="西乡塘区", community="北湖社区")
    server.heartbeat("gx-0010")
    server.heartbeat("gx-0011", paper="out", faults=["printer.paper_out"])
    server.heartbeat("gx-0012", mode="locker", faults=["lock.jammed"])
    for backlog in (1, 2, 3, 4):
        server.heartbeat("gx-0013", outbox_backlog=backlog)
    kinds = {
        (a["kind"], a["terminal"])
        for a in httpx.get(f"{server.url}/api/v1/alerts").json()["alerts"]
    }
    assert kinds == {
        ("paper_out", "gx-0011"),
        ("door_jammed", "gx-0012"),
        ("backlog_growing", "gx-0013"),
    }
    metrics = httpx.get(f"{server.url}/metrics").text  # counted by the database: the same
    for line in (
        'kiosk_fleet_alerts{kind="paper_out"} 1',
        'kiosk_fleet_alerts{kind="door_jammed"} 1',
        'kiosk_fleet_alerts{kind="backlog_growing"} 1',
        'kiosk_fleet_alerts{kind="offline"} 0',
        "kiosk_fleet_kiosks_with_faults 2",
        'kiosk_fleet_paper{state="out"} 1',
    ):
        assert line in metrics.splitlines(), line
    server.clock.now += 3600  # an hour without heartbeats
    server.heartbeat("gx-0013", outbox_backlog=0)
    feed = httpx.get(f"{server.url}/api/v1/alerts").json()["alerts"]
    offline = sorted(a["terminal"] for a in feed if a["kind"] == "offline")
    assert offline == ["gx-0010", "gx-0011", "gx-0012"]
    assert not [a for a in feed if a["kind"] == "backlog_growing"]  # delivered: backlog gone


def test_a_retried_heartbeat_is_counted_once(server: Server) -> None:
    from .conftest import heartbeat_body

    token = server.provision("gx-0020")
    body = heartbeat_body("gx-0020", flows={"si-certificate": {"sessions": 3, "failures": 1}})
    for _ in range(2):  # the outbox retries after a lost reply, same sequence number
        reply = httpx.post(
            f"{server.url}/api/v1/heartbeats",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert reply.status_code == 200
    with server.fleet.db() as db:
        assert db.scalar(select(func.sum(Heartbeat.sessions))) == 3
        kiosk = db.scalar(select(Kiosk).where(Kiosk.terminal == "gx-0020"))
        assert kiosk is not None and kiosk.devices == {"printer": {"state": "online", "code": ""}}


def test_heartbeats_go_on_after_the_database_dropped_the_connection(postgres: str) -> None:
    import psycopg

    from .conftest import fresh_postgres_database, start_server

    url = fresh_postgres_database(postgres)
    fleet, clock, app = start_server(url)
    with serving(app) as base:
        server = Server(base, fleet, clock)
        server.provision("gx-0030")
        assert server.heartbeat("gx-0030").status_code == 200
        address = url.removeprefix("postgresql+psycopg://")
        with psycopg.connect(f"postgresql://{address}", autocommit=True) as admin:
            dropped = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
        assert dropped is not None and dropped[0] >= 1
        flows = {"si-certificate": {"sessions": 2, "failures": 0}}
        assert server.heartbeat("gx-0030", flows=flows).status_code == 200
        with fleet.db() as db:
            assert db.scalar(select(func.sum(Heartbeat.sessions))) == 2
    fleet.engine.dispose()


def test_a_heartbeat_waiting_for_a_locked_database_holds_up_nothing_else(tmp_path: Path) -> None:
    from .conftest import start_server

    database = tmp_path / "fleet.sqlite3"
    fleet, clock, app = start_server(f"sqlite:///{database}")
    with serving(app) as base:
        server = Server(base, fleet, clock)
        server.provision("gx-0040")
        recording = threading.Event()
        record = fleet.recorder.record

        def noted(*args: Any) -> dict[str, Any]:
            recording.set()
            return record(*args)

        fleet.recorder.record = noted  # type: ignore[method-assign]
        other_writer = sqlite3.connect(database, isolation_level=None)
        other_writer.execute("BEGIN IMMEDIATE")  # e.g. `kiosk fleet add-kiosk` mid-write
        with ThreadPoolExecutor(1) as pool:
            try:
                waiting = pool.submit(server.heartbeat, "gx-0040")
                assert recording.wait(10)
                # the server answers others while the heartbeat waits for the database
                assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
                assert not waiting.done()
            finally:
                other_writer.rollback()
                other_writer.close()
            assert waiting.result(timeout=10).status_code == 200
    fleet.engine.dispose()


def test_two_server_processes_share_one_postgresql_database(postgres: str) -> None:
    from kiosk.fleet.accounts import add_user

    from .conftest import fresh_postgres_database, start_server

    url = fresh_postgres_database(postgres)
    first, clock, app_a = start_server(url)
    second, _clock, app_b = start_server(url)  # migrated already: starts on the same schema
    second.settings = first.settings  # one clock for both
    with first.db() as db:
        add_user(db, "admin", "correct horse battery", "administrator")
    with serving(app_a) as a, serving(app_b) as b:
        server = Server(a, first, clock)
        server.provision("gx-0050")
        flows = {"si-certificate": {"sessions": 2, "failures": 0}}
        assert server.heartbeat("gx-0050", flows=flows).status_code == 200
        server.url = b  # the next heartbeat goes to the other process, as nginx would send it
        assert server.heartbeat("gx-0050", flows=flows).status_code == 200
        with httpx.Client(base_url=a) as on_a, httpx.Client(base_url=b) as on_b:
            on_a.post("/console/login", data={"name": "admin", "password": "correct horse battery"})
            on_b.cookies = on_a.cookies  # a login made on one process holds on the other
            page = on_b.get("/console/rollouts")
            assert page.status_code == 200 and 'id="start"' in page.text
            csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
            started = on_a.post(
                "/console/rollouts", data={"csrf": csrf, "bundle": 2, "stages": "all"}
            )
            assert started.status_code == 303 and "error" not in started.headers["location"]
            assert 'id="rollout-1"' in on_b.get("/console/rollouts").text
    with first.db() as db:
        assert db.scalar(select(func.sum(Heartbeat.sessions))) == 4
    first.engine.dispose()
    second.engine.dispose()
