"""`kiosk backoffice`: serves the contract until SIGTERM, prints its document, and says in one
line why it cannot listen."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

from kiosk.cli import main

REPO = Path(__file__).resolve().parents[3]


def _start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "kiosk", "backoffice", *args]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def test_it_serves_with_its_token_until_sigterm(tmp_path: Path) -> None:
    office = _start("--port", "0", "--token", "cli-token", "--data", str(tmp_path / "data"))
    try:
        assert office.stdout is not None
        url = office.stdout.readline().split()[-1]
        assert url.startswith("http://127.0.0.1:")
        assert office.stdout.readline().strip() == "token cli-token"
        assert requests.get(f"{url}/health", timeout=5).status_code == 401
        auth = {"Authorization": "Bearer cli-token"}
        assert requests.get(f"{url}/health", headers=auth, timeout=5).json() == {"ok": True}
        office.send_signal(signal.SIGTERM)
        assert office.wait(timeout=10) == 143
    finally:
        if office.poll() is None:
            office.kill()
        office.communicate()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/health", timeout=5)
    assert (tmp_path / "data" / "ledger.sqlite3").exists()


def test_a_port_in_use_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["backoffice", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kiosk: cannot listen on 127.0.0.1:{port}") and err.count("\n") == 1


def test_it_prints_the_document_kept_in_the_repository(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backoffice", "--openapi"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    kept = yaml.safe_load((REPO / "backoffice" / "openapi.yaml").read_text(encoding="utf-8"))
    assert printed == kept
