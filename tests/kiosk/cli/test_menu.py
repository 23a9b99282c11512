"""`kiosk menu pin`, `kiosk journal verify` and `kiosk menu tour`, as a maintainer runs them."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from kiosk.cli import main
from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.maintenance.export import write_export
from kiosk.maintenance.pins import PinBook
from kiosk.storage.database import Database
from kiosk.storage.journal import SqliteJournal


def set_pin(monkeypatch: pytest.MonkeyPatch, pin: str, *args: str) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(pin + "\n"))
    return main(["menu", "pin", *args, "--stdin"])


def test_menu_pin_writes_a_hash_that_the_kiosk_recognises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('# hall kiosk\n[terminal]\nid = "gx-0042"\n', encoding="utf-8")
    assert set_pin(monkeypatch, "24681357", "li", "--config", str(config)) == 0
    assert set_pin(monkeypatch, "97531864", "wang", "--role", "administrator",
                   "--config", str(config)) == 0  # fmt: skip
    out, _err = capsys.readouterr()
    text = config.read_text(encoding="utf-8")
    assert text.startswith("# hall kiosk") and "[maintenance.pins.li]" in text
    assert "24681357" not in text + out and "97531864" not in text + out
    book = PinBook(load_config(config).maintenance.pins)
    assert [(m.role.value, m.who) for m in (book.check("24681357"), book.check("97531864")) if m] \
        == [("technician", "pin:li"), ("administrator", "pin:wang")]  # fmt: skip
    assert main(["menu", "pin", "li", "--remove", "--config", str(config)]) == 0
    assert book.check("24681357") is not None  # the old book; the file has it no more:
    assert PinBook(load_config(config).maintenance.pins).check("24681357") is None
    assert set_pin(monkeypatch, "1234", "zhao", "--config", str(config)) == 2
    assert "6 to 12 digits" in capsys.readouterr().err and "zhao" not in config.read_text()


def exported_journal(tmp_path: Path) -> tuple[Path, Path]:
    """A kiosk's data folder whose journal recorded one export; the export and kiosk.toml."""
    data = tmp_path / "data"
    db = Database.in_dir(data)
    try:
        journal = SqliteJournal(db, terminal="gx-0042", clock=ManualClock(1_800_000_000))
        journal.record("s1", "si-certificate", "read", "card_read", {"fields": 2})
        done = write_export(tmp_path / "usb", journal.recent(10), terminal="gx-0042",
                            label="2027-01-15", exported_at=1_800_000_100)  # fmt: skip
        journal.record("v1", "$service", "journal", "service.export", {"head": done.head})
    finally:
        db.close()
    config = tmp_path / "kiosk.toml"
    config.write_text(f'data_dir = "{data}"\n', encoding="utf-8")
    return done.path, config


def test_journal_verify_says_intact_or_where_it_was_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported, config = exported_journal(tmp_path)
    assert main(["journal", "verify", str(exported), "--config", str(config)]) == 0
    assert "intact, 1 entries" in capsys.readouterr().out
    # a consistent chain, but not one the kiosk wrote: another export's file
    other = write_export(tmp_path / "elsewhere", [], terminal="gx-0042", label="x",
                         exported_at=1.0).path  # fmt: skip
    assert main(["journal", "verify", str(other)]) == 0
    assert main(["journal", "verify", str(other), "--config", str(config)]) == 1
    assert "not one this kiosk exported" in capsys.readouterr().out
    exported.write_text(exported.read_text().replace('"fields": 2', '"fields": 3'))
    assert main(["journal", "verify", str(exported)]) == 1
    assert "NOT intact: line 2: line changed" in capsys.readouterr().out
    assert main(["journal", "verify", str(tmp_path / "missing.jsonl")]) == 2


def tour(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["KIVY_HOME"] = str(tmp_path / "kivy-home")
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "menu", "tour", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_menu_tour_photographs_every_page(tmp_path: Path) -> None:
    """One tour (a locker has every page); the UI tests cover both modes and languages."""
    out = tmp_path / "tour"
    done = tour(tmp_path, "--out", str(out), "--mode", "locker", "--elder")
    pages = {"home", "status", "status.power", "selftest.printer.result", "locker",
             "locker.open.reason", "locker.reconciled", "locker.retrieve.parcel", "outbox",
             "journal.day", "settings", "bundle", "restart", "selftest.lock_board.result",
             "selftest.back_office.result", "locker.retrieve.waive", "locker.resolve",
             "locker.resolve.reason"}  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    index = (out / "pages.md").read_text(encoding="utf-8")
    shots = sorted(out.glob("*.png"))
    assert len(shots) >= 25 and all(f"`{page}`" in index for page in pages)
    for shot in shots:
        with Image.open(shot) as picture:
            assert picture.size == (1280, 1024)
            assert max(ImageStat.Stat(picture.convert("L")).stddev) > 20, f"{shot.name} is blank"
    words = ("运行状态", "缺纸", "柜门卡住", "已导出", "锁定 18 秒", "已重新打开", "139****5678",
             "已拒收: A-06", "免除 A-05 的 2.00 元超期费用", "未通过: 柜门卡住",
             "问题已标记为已处理")  # fmt: skip
    assert all(word in index for word in (*words, "屏幕亮度"))
