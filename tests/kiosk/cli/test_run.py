"""`kiosk run`: a bad configuration is one line, exit 2; `--simulate` starts and stops cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main

REPO = Path(__file__).resolve().parents[3]


def _kiosk(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m kiosk run ARGS` headless, stopped once its attract screen is drawn."""
    env = {
        **os.environ,
        "KIOSK_EXIT_AFTER_FIRST_FRAME": "1",
        "KIVY_HOME": str(cwd / "kivy"),
        "PYTHONPATH": str(REPO),
    }
    env.pop("DISPLAY", None)  # SDL2 renders offscreen
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "run", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[display]\nwidth = 100\nheight = 100\n", "display.width: must be at least 320"),
        ("[display]\nwidth = 1280\n[terminal\n", "line 3, column 10: invalid TOML"),
        ('[timeouts]\nsession_inactivity = "soon"\n', "timeouts.session_inactivity: expected a"),
        ("[timeouts]\nsession_inactivity = 25\n", "timeouts: warning_lead (30 s) must be"),
        ("[acessibility]\nvolume = 50\n", "acessibility: unknown key (did you mean access"),
        ('[devices.printer]\ndriver = "thermal"\n', "devices.printer.driver: unknown printer"),
    ],
)
def test_a_bad_value_anywhere_is_one_line_and_exit_2_before_any_window(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    toml: str,
    expected: str,
) -> None:
    """The whole configuration is checked before the kiosk (and its window) starts."""

    async def no_window(_kiosk: object) -> None:
        raise AssertionError("the kiosk started")

    monkeypatch.setattr("kiosk.cli.run._run", no_window)
    config = tmp_path / "kiosk.toml"
    config.write_text(toml, encoding="utf-8")
    assert main(["run", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"kiosk: {config}: {expected}"), err


def test_bad_config_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """The real command: the line and nothing else, not even Kivy's start-up (no window)."""
    config = tmp_path / "kiosk.toml"
    config.write_text('[timeouts]\nsession_inactivity = "soon"\n', encoding="utf-8")
    done = _kiosk(tmp_path, "--config", str(config), "--windowed")
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.startswith(f"kiosk: {config}: timeouts.session_inactivity: expected a")
    assert done.stderr.count("\n") == 1, done.stderr
    assert "attract screen drawn" not in done.stdout
    assert not (tmp_path / "kivy").exists()  # Kivy never started


def test_missing_config_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--config", str(tmp_path / "absent.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err


def test_simulate_reaches_the_attract_screen_and_exits_cleanly(tmp_path: Path) -> None:
    """What `scripts/run-kiosk` runs, stopped after its first frame (as the benchmark does)."""
    done = _kiosk(tmp_path, "--simulate", "--windowed")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "attract screen drawn in" in done.stdout
    assert str(REPO / "kiosk") not in done.stderr  # no traceback from the kiosk's own code
    # the embedded default keeps its SQLite database in ./data
    assert (tmp_path / "data" / "kiosk.sqlite3").exists()


def test_under_systemd_it_says_ready_pings_the_watchdog_and_says_stopping(
    tmp_path: Path,
) -> None:
    import signal
    import socket

    notify = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as manager:
        manager.bind(str(notify))
        manager.settimeout(60)
        env = {
            **os.environ,
            "KIVY_HOME": str(tmp_path / "kivy"),
            "PYTHONPATH": str(REPO),
            "NOTIFY_SOCKET": str(notify),
            "WATCHDOG_USEC": "200000",  # WatchdogSec=0.2: a ping every 0.1 s
        }
        env.pop("DISPLAY", None)
        kiosk = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "run", "--simulate"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            said = [manager.recv(4096).decode()]
            assert said[0].startswith("READY=1") and "STATUS=serving residents" in said[0]
            said += [manager.recv(4096).decode() for _ in range(3)]
            assert said[1:] == ["WATCHDOG=1"] * 3  # the screen's loop is alive
            kiosk.send_signal(signal.SIGTERM)
            while not (message := manager.recv(4096).decode()).startswith("STOPPING=1"):
                assert message == "WATCHDOG=1"
            assert kiosk.wait(timeout=30) == 0
        finally:
            kiosk.kill()
            kiosk.wait()
