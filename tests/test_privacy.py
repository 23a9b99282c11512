"""Nothing the kiosk writes holds a full ID or phone number (ACCESSIBILITY.md item 22).

Every flow whose answers file gives an ID or phone number runs through the CLI with a real data
directory and debug logging; then every file the kiosk wrote (SQLite database and its WAL), its
output and its logs are scanned for `\\d{17}[\\dXx]` and `1\\d{10}`, and so is the service
menu's export of the journal they wrote. Files pack fields side by side, so there the scan is
for the numbers the answers file gives and for such numbers standing alone. The printed paper
is checked in `tests/flows/test_examples.py`; the service menu's pages in
`tests/kiosk/ui/test_service_menu.py`.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.flow.loader import DEFAULT_FLOWS_DIR
from kiosk.maintenance.export import verify, write_export
from kiosk.storage.database import Database
from kiosk.storage.journal import SqliteJournal

PERSONAL = re.compile(rb"\d{17}[\dXx]|1\d{10}")
STANDALONE = re.compile(rb"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|1\d{10})(?![0-9A-Za-z])")
"""A personal-looking number standing alone, not digits inside a key, a reference or a UUID."""


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "kiosk.toml"
    data = tmp_path / "data"
    config.write_text(
        f'simulate = true\ndata_dir = "{data}"\nflows_dir = "{DEFAULT_FLOWS_DIR}"\n',
        encoding="utf-8",
    )
    return config


WITH_NUMBERS = sorted(
    p.name.removesuffix(".answers.yaml")
    for p in DEFAULT_FLOWS_DIR.glob("*.answers.yaml")
    if PERSONAL.search(p.read_bytes())
)
"""Every answers file in which a resident gives an ID or phone number (or a card holds one)."""


def test_the_services_that_take_personal_numbers_are_all_scanned() -> None:
    assert {name.split(".")[0] for name in WITH_NUMBERS} >= {
        "si-certificate",
        "resident-feedback",
        "medical-insurance",
        "elderly-allowance",
        "resident-request",
    }


@pytest.mark.parametrize("answers_file", WITH_NUMBERS)
def test_nothing_written_or_printed_holds_a_personal_number(
    answers_file: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    answers = DEFAULT_FLOWS_DIR / f"{answers_file}.answers.yaml"
    flow = answers_file.split(".")[0]
    with caplog.at_level(logging.DEBUG):
        code = main(["-v", "flows", "run", flow, "--answers", str(answers), "--json",
                     "--config", str(_config(tmp_path))])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    written = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert any(p.name.startswith("kiosk.sqlite3") for p in written)
    given = set(PERSONAL.findall(answers.read_bytes()))
    for path in written:
        data = path.read_bytes()
        leaked = [number for number in given if number in data]
        assert not leaked, f"{path.name} holds {leaked[0][:3]!r}... as the resident gave it"
        # files pack fields side by side (a reference next to a UUID, a hex key): any number
        # standing alone that looks personal is a leak too
        found = STANDALONE.search(data)
        assert found is None, f"{path.name} holds {found.group(0)[:3]!r}..."
    for name, text in (("stdout", out), ("stderr", err), ("log", caplog.text)):
        found = PERSONAL.search(text.encode())
        assert found is None, f"{name} holds a personal number"
    # the service menu's journal export (to a USB stick) of everything the run journalled
    db = Database.in_dir(tmp_path / "data")
    try:
        entries = SqliteJournal(db, "gx-0042").between(0, 4e9)
    finally:
        db.close()
    exported = write_export(tmp_path / "usb", entries, terminal="gx-0042", label="all",
                            exported_at=0.0)  # fmt: skip
    assert verify(exported.path).ok and exported.count == len(entries) > 5
    found = PERSONAL.search(exported.path.read_bytes())
    assert found is None, f"the exported journal holds {found.group(0)[:3]!r}..."
    body = _heartbeat_body(tmp_path / "data")
    assert sum(f["sessions"] for f in body["flows"].values()) >= 1, "the heartbeat counted nothing"
    found = PERSONAL.search(json.dumps(body, ensure_ascii=False).encode())
    assert found is None, "the heartbeat body holds a personal number"


def _heartbeat_body(data: Path) -> dict[str, object]:
    """The heartbeat the kiosk would send after the run, built from its journal and outbox."""
    from kiosk.clock import ManualClock
    from kiosk.heartbeat.sender import HeartbeatSender, Identity
    from kiosk.storage.outbox import SqliteOutbox

    db = Database.in_dir(data)
    try:
        journal = SqliteJournal(db, "gx-0001")
        outbox = SqliteOutbox(db, {})
        sender = HeartbeatSender(
            Identity("gx-0001", "government", "all", "0.1.0"),
            outbox=outbox,
            journal=journal,
            health=dict,
            update=lambda: (None, "not_checked"),
            state_file=data / "heartbeat.json",
            clock=ManualClock(0.0),
        )
        body = sender.body()
        outbox.close()
        return body
    finally:
        db.close()
