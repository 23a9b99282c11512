"""python-escpos keeps its parsed capabilities in a lasting cache and leaves nothing in /tmp."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

_RENDER = (
    "from peripherals.printer.receipt import Receipt\n"
    "from peripherals.printer.render import ReceiptRenderer\n"
    "data = ReceiptRenderer().render(Receipt(title='OK'))\n"
    "import escpos.capabilities as c\n"
    "print(c.full_load, len(data))\n"
)


def _run(cache: Path, tmp: Path, **extra: str) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "TMPDIR": str(tmp), "PYTHONPATH": str(REPO)}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    env.update(extra)
    done = subprocess.run(
        [sys.executable, "-c", _RENDER], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()[0]


def test_capabilities_are_parsed_once_and_no_temp_folder_is_left(tmp_path: Path) -> None:
    cache, tmp = tmp_path / "cache", tmp_path / "tmp"
    tmp.mkdir()
    assert _run(cache, tmp) == "True"  # first start: parsed and cached
    pickles = list((cache / "kiosk" / "escpos").iterdir())
    assert [p.suffix for p in pickles] == [".pickle"]  # no half-built folder left beside it
    assert _run(cache, tmp) == "False"  # every later start reads the cache
    assert list(tmp.iterdir()) == []


def test_a_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    cache, tmp = tmp_path / "cache", tmp_path / "tmp"
    tmp.mkdir()
    _run(cache, tmp)
    (pickle,) = (cache / "kiosk" / "escpos").iterdir()
    pickle.write_bytes(b"not a pickle")
    assert _run(cache, tmp) == "True"
    assert _run(cache, tmp) == "False"


def test_an_operator_setting_is_honoured(tmp_path: Path) -> None:
    mine, tmp = tmp_path / "mine", tmp_path / "tmp"
    mine.mkdir()
    tmp.mkdir()
    _run(tmp_path / "cache", tmp, ESCPOS_CAPABILITIES_PICKLE_DIR=str(mine))
    assert [p.suffix for p in mine.iterdir()] == [".pickle"]
    assert not (tmp_path / "cache").exists()
    assert list(tmp.iterdir()) == []
