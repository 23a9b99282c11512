"""`kiosk doctor` on machines set up well and badly: each problem is named with its fix, the
exit status says whether residents would be hit."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.cli.doctor_checks import examine
from kiosk.config import load_config
from kiosk.flow.loader import DEFAULT_FLOWS_DIR
from kiosk.updates.repository import Repository
from kiosk.updates.status import UpdateState, UpdateStatus


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _machine(tmp_path: Path, extra: str = "") -> Path:
    """A production kiosk.toml (real drivers) with its own data and flows folders."""
    flows = tmp_path / "flows"
    shutil.copytree(DEFAULT_FLOWS_DIR, flows)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'data_dir = "{tmp_path / "data"}"\nflows_dir = "{flows}"\n'
        '[devices.printer]\ndriver = "escpos-serial"\nport = "/dev/ttyKIOSK-NOPE"\n'
        '[devices.speaker]\ndriver = "pyttsx3"\n' + extra,
        encoding="utf-8",
    )
    return config


def _by_name(config: Path, **options: bool) -> dict[str, tuple[str, str, str]]:
    found: dict[str, tuple[str, str, str]] = {}
    for check in examine(load_config(config, {}), **options):
        found.setdefault(check.name, (check.status, check.detail, check.fix))
    return found


def test_a_missing_device_a_broken_flow_an_open_data_folder_are_named_with_fixes(
    tmp_path: Path,
) -> None:
    config = _machine(
        tmp_path,
        f'[backends.feedback]\nbase_url = "http://127.0.0.1:{_closed_port()}"\n',
    )
    (tmp_path / "flows" / "broken.yaml").write_text("id: broken\nsteps: [\n", encoding="utf-8")
    (tmp_path / "data").mkdir(mode=0o777)
    os.chmod(tmp_path / "data", 0o777)
    checks = _by_name(config)
    assert checks["device printer"][0] == "fail"
    assert "/dev/ttyKIOSK-NOPE does not exist" in checks["device printer"][1]
    assert "udev" in checks["device printer"][2]
    assert checks["flows"][0] == "fail" and "broken.yaml" in checks["flows"][1]
    assert checks["data folder"][0] == "warn" and checks["data folder"][2].startswith("chmod 0700")
    assert checks["back office feedback"][0] == "warn"  # submissions wait meanwhile
    # the Mandarin voice espeak-ng needs, and a font with the rare characters of names
    assert checks["speech"] == ("ok", "espeak-ng with cmn-latn-pinyin", "")
    assert checks["chinese font"][0] == "ok"


def test_the_exit_status_and_json_say_whether_residents_would_be_hit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _machine(tmp_path)
    assert main(["doctor", "--config", str(bad), "--offline", "--json"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    failed = [line for line in lines if line["status"] == "fail"]
    assert [line["name"] for line in failed] == ["device printer"]
    assert all(line["fix"] for line in failed)
    demo = tmp_path / "demo.toml"
    demo.write_text(f'simulate = true\ndata_dir = "{tmp_path / "demo-data"}"\n')
    assert main(["doctor", "--config", str(demo), "--offline"]) == 0
    out = capsys.readouterr().out
    assert "simulated (demo mode)" in out and out.strip().endswith("0 failures")


def test_a_log_folder_it_cannot_write_in_is_a_failure(tmp_path: Path) -> None:
    (tmp_path / "logs").write_text("a file, not a folder")
    config = _machine(tmp_path, "")
    config.write_text(
        f'log_file = "{tmp_path / "logs" / "kiosk.log"}"\n' + config.read_text(), encoding="utf-8"
    )
    status, detail, fix = _by_name(config, network=False)["log file"]
    assert status == "fail" and "cannot write" in detail and "log_file" in fix


def test_updates_name_a_missing_root_of_trust_and_a_repository_out_of_reach(
    tmp_path: Path,
) -> None:
    updates = '[updates]\nrepository = "http://127.0.0.1:9/"\ntrusted_root = "root.json"\n'
    config = _machine(tmp_path, updates)
    status, detail, fix = _by_name(config, network=False)["updates"]
    assert status == "fail" and "root.json" in detail and "1.root.json" in fix
    (tmp_path / "root.json").write_text("{}", encoding="utf-8")
    assert _by_name(config, network=False)["updates"][0] == "fail"  # not root metadata
    repo = Repository(tmp_path / "repo", tmp_path / "keys")
    repo.init()
    shutil.copy(repo.metadata_dir / "1.root.json", tmp_path / "root.json")
    UpdateStatus(UpdateState.UNREACHABLE, 4).save(tmp_path / "data" / "bundles" / "status.json")
    status, detail, fix = _by_name(config, network=False)["updates"]
    assert (status, detail) == ("warn", "无法连接更新服务器，继续使用业务包 4")
    assert fix == f"kiosk updates check --config {config}"
