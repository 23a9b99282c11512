"""Every benchmark runs: its `--quick` mode exits 0 and prints a PASS or FAIL line per goal.

Only that they run is checked, never their timing (a short run on a busy machine says little).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = sorted(
    path.name
    for path in (ROOT / "benchmarks").glob("*.py")
    if path.name != "side_by_side.py"  # the helper they share, not a benchmark
)
NEEDS = {"updates.py": "nginx", "voice.py": "espeak-ng"}
"""Programs a benchmark cannot run without."""


def test_every_benchmark_is_checked() -> None:
    assert {"flows_load.py", "cli.py", "engine.py", "ui.py"} <= set(BENCHMARKS)


@pytest.mark.parametrize("name", BENCHMARKS)
def test_the_quick_mode_runs_and_gives_verdicts(name: str, tmp_path: Path) -> None:
    program = NEEDS.get(name)
    if program and shutil.which(program) is None:
        pytest.skip(f"{program} is not installed")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PYTHONPATH=str(ROOT), KIVY_NO_ARGS="1", KIVY_HOME=str(tmp_path / "kivy"))
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / name), "--quick"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    verdicts = [line for line in done.stdout.splitlines() if line.startswith(("PASS ", "FAIL "))]
    assert verdicts, done.stdout[-2000:]
