"""The fleet server on loopback, over SQLite and over a real PostgreSQL."""

from __future__ import annotations

import httpx

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
    server.provision("gx-0003")
    assert server.heartbeat("gx-0003", name="张三").status_code == 422
    assert server.heartbeat("gx-0003", faults=["<script>"]).status_code == 422


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
    from sqlalchemy import func, select

    from kiosk.fleet.models import Heartbeat

    with server.fleet.db() as db:
        assert db.scalar(select(func.sum(Heartbeat.sessions))) == 3
