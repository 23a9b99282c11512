"""`kiosk devices health` opens the configured devices and says which are usable."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from kiosk.cli import main


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(tmp_path: Path, body: str) -> str:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\n' + body, encoding="utf-8")
    return str(path)


def test_all_usable_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(
        tmp_path,
        '[devices.id_card]\ndriver = "simulated"\n[devices.printer]\ndriver = "simulated"\n',
    )
    assert main(["devices", "health", "--config", config, "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {(r["device"], r["state"]) for r in rows} == {
        ("id_card", "online"),
        ("printer", "online"),
    }


def test_an_absent_printer_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(
        tmp_path,
        '[devices.id_card]\ndriver = "simulated"\n'
        '[devices.printer]\ndriver = "escpos-network"\nhost = "127.0.0.1"\n'
        f"port = {_closed_port()}\n",
    )
    assert main(["devices", "health", "--config", config]) == 1
    out = capsys.readouterr().out
    assert "id_card" in out and "online" in out
    printer = next(line for line in out.splitlines() if line.startswith("printer"))
    assert "no_device" in printer


def test_simulate_swaps_the_absent_printer_for_its_simulator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(
        tmp_path,
        '[devices.printer]\ndriver = "escpos-network"\nhost = "127.0.0.1"\n'
        f"port = {_closed_port()}\n",
    )
    assert main(["devices", "health", "--config", config, "--simulate"]) == 0
    assert "online" in capsys.readouterr().out


def test_bad_configuration_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path, "[devices.printer]\ndriver = 5\n")
    assert main(["devices", "health", "--config", config]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "devices.printer.driver" in err
