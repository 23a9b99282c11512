"""The deployment recipe as the machine will read it: systemd checks the unit, logrotate
rotates the kiosk's log while it keeps writing, udev rules parse, install.sh lays files out
with the right permissions."""

from __future__ import annotations

import logging
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.cli.run import _log_to_file

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    unit = (DEPLOY / "systemd" / "kiosk.service").read_text()
    start = re.search(r"^ExecStart=(\S+) .*? -- (\S+) run --config (\S+)$", unit, re.M)
    assert start is not None
    # what install.sh puts there: cage from apt, the kiosk from /opt/kiosk's virtualenv
    assert start.groups() == (
        "/usr/bin/cage",
        "/opt/kiosk/.venv/bin/kiosk",
        "/etc/kiosk/kiosk.toml",
    )
    for key in ("Type=notify", "NotifyAccess=all", "WatchdogSec=30", "StateDirectoryMode=0700"):
        assert key in unit.splitlines()
    # every other line as systemd reads it (the programs need not be installed for that)
    checked = tmp_path / "kiosk.service"
    checked.write_text(unit.replace(start.group(0), "ExecStart=/bin/true"))
    verify = subprocess.run(
        ["systemd-analyze", "verify", str(checked)], capture_output=True, text=True
    )
    problems = [
        line
        for line in verify.stderr.splitlines()
        if "kiosk.service" in line and "Failed to" not in line  # no running systemd here
    ]
    assert problems == [], verify.stderr


@pytest.fixture
def kiosk_log(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    before = list(root.handlers), root.level
    path = tmp_path / "log" / "kiosk.log"
    _log_to_file(path)
    yield path
    for handler in root.handlers[:]:
        if handler not in before[0]:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(before[1])


def test_logrotate_rotates_the_log_the_kiosk_keeps_writing(kiosk_log: Path) -> None:
    log = logging.getLogger("kiosk.test")
    log.info("resident phone %s delivered", "13912345678")
    assert "139****5678" in kiosk_log.read_text() and "13912345678" not in kiosk_log.read_text()
    conf = (DEPLOY / "logrotate" / "kiosk").read_text()
    conf = conf.replace("/var/log/kiosk", str(kiosk_log.parent)).replace("kiosk kiosk", "root root")
    (kiosk_log.parent / "rotate.conf").write_text(conf)
    rotate = subprocess.run(
        [
            "logrotate",
            "--force",
            "--state",
            str(kiosk_log.parent / "state"),
            str(kiosk_log.parent / "rotate.conf"),
        ],
        capture_output=True,
        text=True,
    )
    assert rotate.returncode == 0, rotate.stderr
    log.info("after the rotation")
    rotated = kiosk_log.with_name("kiosk.log.1")
    assert "delivered" in rotated.read_text()  # delaycompress: the newest is left plain
    assert "after the rotation" in kiosk_log.read_text()  # reopened, not writing to the old
    assert stat.S_IMODE(kiosk_log.stat().st_mode) == 0o640


_RULE_PART = re.compile(r'^[A-Z_]+(\{[A-Za-z_]+\})?(==|!=|\+=|=|:=)"[^"]*"$')


def test_udev_rules_are_well_formed() -> None:
    rules = [
        line
        for line in (DEPLOY / "udev" / "99-kiosk.rules").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(rules) >= 6
    for rule in rules:
        parts = [part.strip() for part in rule.split(", ")]
        assert all(_RULE_PART.match(part) for part in parts), rule
        assert any(p.startswith(("SUBSYSTEM==", "KERNEL==")) for p in parts), rule
        assert any(p.startswith("MODE=") for p in parts), rule  # never world-accessible
        assert all(not p.startswith("MODE=") or p.endswith('0660"') for p in parts), rule


def test_install_lays_out_files_with_their_permissions(tmp_path: Path) -> None:
    run = subprocess.run(
        ["bash", str(DEPLOY / "install.sh"), "--root", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr

    def mode(path: str) -> int:
        return stat.S_IMODE((tmp_path / path.lstrip("/")).stat().st_mode)

    assert mode("/var/lib/kiosk") == 0o700  # personal data in flight lives here
    assert mode("/etc/kiosk/kiosk.toml") == 0o640  # back-office tokens
    assert mode("/etc/kiosk") == 0o750
    for installed in (
        "/etc/systemd/system/kiosk.service",
        "/etc/udev/rules.d/99-kiosk.rules",
        "/etc/logrotate.d/kiosk",
        "/etc/systemd/journald.conf.d/kiosk.conf",
    ):
        assert mode(installed) == 0o644
    shutil.rmtree(tmp_path / "etc")
