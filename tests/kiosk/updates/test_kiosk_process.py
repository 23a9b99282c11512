"""Kiosk processes updating from a real nginx: `kiosk updates check`, and SIGKILL at every step
of download and activation, after which the kiosk restarts on a complete bundle, old or new."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.config import load_config
from kiosk.flow.loader import load_flows
from kiosk.updates.agent import UpdateAgent, bundle_root
from kiosk.updates.status import UpdateState
from kiosk.updates.store import BundleStore

from .conftest import (
    BundleMaker,
    FakeHost,
    ListJournal,
    Served,
    poll_and_activate,
    release,
    write_kiosk_config,
)

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def test_a_kiosk_process_takes_each_new_bundle(
    served: Served, make_bundle: BundleMaker, tmp_path: Path
) -> None:
    config = write_kiosk_config(tmp_path, served)
    release(served.repo, make_bundle(1))
    first = run("-m", "kiosk", "updates", "check", "--config", str(config))
    assert first.returncode == 0, first.stderr
    assert "已启用业务包 1" in first.stdout
    release(served.repo, make_bundle(2))
    second = run("-m", "kiosk", "updates", "check", "--config", str(config))
    assert second.returncode == 0, second.stderr
    store = BundleStore(bundle_root(load_config(config, environ={})))
    assert (store.current(), store.previous()) == (2, 1)
    status = run("-m", "kiosk", "updates", "status", "--config", str(config))
    assert status.stdout.strip() == "已启用业务包 2，正在观察前几次办理"
    served.repo.metadata_dir.rename(served.repo.root / "gone")  # the server loses its files
    third = run("-m", "kiosk", "updates", "check", "--config", str(config))
    assert third.returncode == 1
    assert "继续使用业务包 2" in third.stdout
    assert store.current() == 2


class CrashKiosks:
    """`crash_kiosk --serve`: kiosk processes killed at a step, forked from one that imported
    the kiosk once (~0.3 s a process saved); stopped by `close`."""

    def __init__(self, config: Path, log: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "tests.kiosk.updates.crash_kiosk", str(config), "--serve"]
        self.log = log
        with log.open("w", encoding="utf-8") as errors:
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=errors, text=True,
                                            env=env, cwd=ROOT)  # fmt: skip

    def run(self, kill_at: int) -> tuple[int, str]:
        """The exit code of a kiosk process killed at step `kill_at` (0: never), its output."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{kill_at}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"crash_kiosk --serve ended: {self.log.read_text(encoding='utf-8')}"
        answer = json.loads(line)
        return answer["returncode"], answer["stdout"]

    def errors(self) -> str:
        """What the kiosk processes wrote to stderr so far."""
        return self.log.read_text(encoding="utf-8")[-3000:]

    def close(self) -> None:
        """End the server (it ends when its input does)."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        assert self.process.stdout is not None
        self.process.stdout.close()


def kill_points(steps: list[str]) -> list[int]:
    """The steps (1-based) to kill at: every step, except that of a run of steps of one kind
    (chunks downloaded, the 40 files unpacked) only the first two, the middle and the last."""
    runs: list[list[int]] = []
    for number, step in enumerate(steps, start=1):
        if runs and steps[runs[-1][0] - 1].split()[0] == step.split()[0]:
            runs[-1].append(number)
        else:
            runs.append([number])
    return sorted({n for run in runs for n in (*run[:2], run[len(run) // 2], run[-1])})


def test_sigkill_at_any_step_leaves_a_complete_bundle(
    served: Served,
    make_bundle: BundleMaker,
    kiosk: Callable[..., UpdateAgent],
    tmp_path: Path,
) -> None:
    release(served.repo, make_bundle(1))
    agent = kiosk()
    poll_and_activate(agent, FakeHost(), ListJournal())
    data = tmp_path / "kiosk-data"
    baseline = tmp_path / "baseline"
    shutil.copytree(data, baseline, symlinks=True)
    release(served.repo, make_bundle(2))
    config = tmp_path / "kiosk.toml"

    kiosks = CrashKiosks(config, tmp_path / "crash-kiosk.log")
    try:
        seen = kill_at_each_point(kiosks, data, baseline, config)
    finally:
        kiosks.close()
    assert seen.get(1) and seen.get(2)


def kill_at_each_point(
    kiosks: CrashKiosks, data: Path, baseline: Path, config: Path
) -> dict[int, int]:
    """Kill a kiosk process at each kill point, restart the kiosk; how often each bundle ran."""
    code, out = kiosks.run(0)
    assert code == 0, kiosks.errors()
    steps = json.loads(out)["steps"]
    assert any(s.startswith("downloading") for s in steps)
    assert "current -> 2" in steps
    seen: dict[int, int] = {}
    for kill_at in kill_points(steps):
        shutil.rmtree(data)
        shutil.copytree(baseline, data, symlinks=True)
        code, _out = kiosks.run(kill_at)
        assert code == -signal.SIGKILL, (kill_at, kiosks.errors())
        # the kiosk starts again: whatever it runs is complete, old or new, never a mix
        restarted = UpdateAgent(load_config(config, environ={}))
        try:
            flows_dir = restarted.recover()
            version = restarted.store.current()
            assert version in (1, 2), (kill_at, steps[kill_at - 1])
            assert restarted.store.complete(version)
            assert flows_dir is not None and not load_flows([flows_dir]).errors
            seen[version] = seen.get(version, 0) + 1
            # and it carries on to the new bundle at its next poll
            assert poll_and_activate(restarted, FakeHost(), ListJournal()).state in (
                UpdateState.ACTIVATED,
                UpdateState.CURRENT,
            )
            assert restarted.store.current() == 2
        finally:
            restarted.close()
    points = kill_points(steps)
    print(
        f"killed at {len(points)} of the {len(steps)} steps (each kind of step; of a run of"
        f" chunks or files the first two, middle and last) {steps}: restarted on bundles"
        f" {sorted(seen.items())}"
    )
    return seen
