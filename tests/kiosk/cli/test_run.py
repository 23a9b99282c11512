"""`kiosk run`: a bad configuration is one line, exit 2; `--simulate` starts and stops cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main

REPO = Path(__file__).resolve().parents[3]


def test_bad_config_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[timeouts]\nsession_inactivity = "soon"\n', encoding="utf-8")
    assert main(["run", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("kiosk: ") and "timeouts.session_inactivity" in err
    assert "Traceback" not in err


def test_missing_config_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--config", str(tmp_path / "absent.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err


def test_simulate_reaches_the_attract_screen_and_exits_cleanly(tmp_path: Path) -> None:
    """What `scripts/run-kiosk` runs, stopped after its first frame (as the benchmark does)."""
    env = {
        **os.environ,
        "KIOSK_EXIT_AFTER_FIRST_FRAME": "1",
        "KIVY_HOME": str(tmp_path / "kivy"),
        "PYTHONPATH": str(REPO),
    }
    env.pop("DISPLAY", None)  # SDL2 renders offscreen
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "run", "--simulate", "--windowed"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "attract screen drawn in" in done.stdout
    assert str(REPO / "kiosk") not in done.stderr  # no traceback from the kiosk's own code
    # the embedded default keeps its SQLite database in ./data
    assert (tmp_path / "data" / "kiosk.sqlite3").exists()
