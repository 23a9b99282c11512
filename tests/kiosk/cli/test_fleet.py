"""`kiosk fleet add-user` and `add-kiosk` as the README's pilot set-up runs them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.cli import main
from kiosk.fleet.accounts import log_in
from kiosk.fleet.app import Fleet
from kiosk.fleet.models import Kiosk
from kiosk.fleet.settings import FleetSettings
from kiosk.fleet.tokens import token_hash


def test_the_pilot_accounts_are_made_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'fleet.sqlite3'}"
    monkeypatch.setattr("sys.stdin", io.StringIO("a long passphrase\n"))
    assert main(["fleet", "add-user", "admin", "--role", "administrator", "--database", url]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["fleet", "add-user", "bob", "--role", "viewer", "--database", url]) == 2
    capsys.readouterr()
    args = ["fleet", "add-kiosk", "gx-0042", "--district", "青秀区", "--group", "canary"]
    assert main([*args, "--database", url]) == 0
    token = capsys.readouterr().out.strip()
    fleet = Fleet(FleetSettings(database_url=url))
    with fleet.db() as db:
        kiosk = db.scalar(select(Kiosk).where(Kiosk.terminal == "gx-0042"))
        assert kiosk is not None and kiosk.token_hash == token_hash(token)
        assert (kiosk.district, kiosk.group) == ("青秀区", "canary")
        assert log_in(db, "admin", "a long passphrase", 0.0, 1.0) is not None
        assert log_in(db, "bob", "short", 0.0, 1.0) is None
    fleet.engine.dispose()


def test_the_server_answers_and_stops_at_once_when_told(tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"sqlite:///{tmp_path / 'fleet.sqlite3'}"
    server = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "fleet", "serve", "--database", url, "--port", str(port)],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])},
    )
    try:
        deadline = time.monotonic() + 30
        while True:  # polling with a deadline for the process to listen
            try:
                reply = httpx.get(f"http://127.0.0.1:{port}/healthz")
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        assert reply.status_code == 200 and reply.headers["date"].endswith(" GMT")
        server.send_signal(signal.SIGTERM)  # as systemd stops it
        server.wait(timeout=5)  # at once, though it wakes only once a second when idle
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
