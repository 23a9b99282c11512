"""Journal export: the hash chain holds for the kiosk's file and breaks for any tampering."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kiosk.clock import ManualClock
from kiosk.maintenance.export import line_hash, verify, write_export
from kiosk.storage.database import Database
from kiosk.storage.journal import SqliteJournal
from peripherals.id_card.id_number import check_character

PERSONAL = re.compile(r"\d{17}[\dXx]|1\d{10}")
ID_NUMBER = "11010519491231002" + check_character("11010519491231002")


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    db = Database.in_dir(tmp_path / "data")
    try:
        journal = SqliteJournal(db, terminal="gx-0042", clock=ManualClock(1_800_000_000))
        for n in range(5):
            journal.record(f"s{n}", "si-certificate", "read", "card_read", {"n": n})
        journal.record("s9", "resident-feedback", "phone", "typed", {"said": ID_NUMBER})
        done = write_export(
            tmp_path / "usb",
            journal.recent(100)[::-1],
            terminal="gx-0042",
            label="2027-01-15",
            exported_at=1_800_000_100,
        )
    finally:
        db.close()
    assert done.count == 6
    return done.path


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_the_kiosks_export_verifies_and_holds_no_id_number(exported: Path) -> None:
    verdict = verify(exported)
    assert verdict.ok and verdict.count == 6 and len(verdict.head) == 52
    text = exported.read_text(encoding="utf-8")
    assert ID_NUMBER not in text and ID_NUMBER[-4:] in text  # masked, not dropped
    assert PERSONAL.search(text) is None  # the chain's hashes never look like numbers
    assert not list(exported.parent.glob(".*partial"))


def test_a_changed_entry_is_found(exported: Path) -> None:
    text = lines(exported)
    text[3] = text[3].replace('"n": 2', '"n": 7')
    exported.write_text("".join(text), encoding="utf-8")
    assert verify(exported).ok is False
    assert verify(exported).line == 4 and "changed" in verify(exported).problem


def test_a_removed_entry_is_found(exported: Path) -> None:
    text = lines(exported)
    del text[2]
    exported.write_text("".join(text), encoding="utf-8")
    verdict = verify(exported)
    assert not verdict.ok and verdict.line == 3 and "chain broken" in verdict.problem


def test_swapped_entries_are_found(exported: Path) -> None:
    text = lines(exported)
    text[2], text[3] = text[3], text[2]
    exported.write_text("".join(text), encoding="utf-8")
    assert not verify(exported).ok


def test_a_file_cut_short_is_found(exported: Path) -> None:
    exported.write_text("".join(lines(exported)[:-1]), encoding="utf-8")
    verdict = verify(exported)
    assert not verdict.ok and "cut short" in verdict.problem


def test_an_entry_rehashed_in_place_still_breaks_the_next_link(exported: Path) -> None:
    text = lines(exported)
    line = json.loads(text[2])
    line["detail"] = {"n": 99}
    line["hash"] = line_hash(line["prev"], line)
    text[2] = json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n"
    exported.write_text("".join(text), encoding="utf-8")
    verdict = verify(exported)
    assert not verdict.ok and verdict.line == 4
