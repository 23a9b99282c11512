"""Kiosk UI speed: cold start against a bare Kivy app, and tap-to-next-screen latency.

    python benchmarks/ui.py [--repeat 5] [--runs 10] [--profile startup|latency] [--quick]

1. Cold start, side by side (each a fresh process, alternating, medians): exactly
   `python -m kiosk run --simulate --exit-after-first-frame` (the embedded defaults, simulated
   devices, the demo back office, the fullscreen window), run in an empty folder, against a bare
   Kivy app showing one label (`BARE_APP`: nothing imported but Kivy). Both are timed
   the same way: from just before the process is spawned to the wall-clock time the child
   reports for its first frame drawn (the kiosk prints it as `attract screen drawn in N.NN s
   (wall clock T)`). Target: kiosk ≤ 1.5× the bare app. Peak RSS of each whole process (from
   `wait4`); the kiosk's includes opening its services behind the attract screen before it
   exits.
2. Tap latency: both example flows run `--runs` times in one kiosk app (1280×1024, software
   rendering), answered by simulated touches (`kiosk.ui.tour.TourRenderer` without pictures);
   the time from the answering touch to the first frame drawn with the next screen.
   Target: median < 100 ms.

Headless: with no DISPLAY, Kivy's SDL2 renders offscreen with Mesa. Each child process gets
`KIVY_NO_ARGS=1` and a private `KIVY_HOME`. One unmeasured start of each comes first (Kivy's
config written, the page cache and the kiosk's caches in `~/.cache/kiosk` warm, as on a kiosk
that has booted before). `--profile` runs under cProfile and prints the top costs (`startup`:
the kiosk's `run --simulate --exit-after-first-frame` in this process; `latency`: the flows).
Each target is printed as a PASS or FAIL line; `--quick` (one start of each, one run of each
flow) only shows that the benchmark runs, and exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

START_TARGET = 1.5
LATENCY_TARGET_MS = 100.0
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from side_by_side import Goals  # noqa: E402

BARE_APP = """
import json, time
from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.label import Label


class Bare(App):
    def build(self):
        return Label(text="Hello")

    def on_start(self):
        def flipped(*_):
            Window.unbind(on_flip=flipped)
            print(json.dumps({"at": time.time()}), flush=True)
            Clock.schedule_once(lambda _dt: self.stop(), 0)

        Window.bind(on_flip=flipped)
        Window.canvas.ask_update()


Bare().run()
"""
"""The bare app: one label; prints its first frame's wall-clock time, then stops."""

KIOSK_RUN = ("-m", "kiosk", "run", "--simulate", "--exit-after-first-frame")
"""The kiosk side of the cold start, after `python`."""

_DRAWN = re.compile(r"attract screen drawn in [0-9.]+ s \(wall clock ([0-9.]+)\)")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _report(**values: Any) -> None:
    # the parent reads the last line of stdout
    print(json.dumps(values), flush=True)


# -- children ---------------------------------------------------------------------------------


def child_latency(runs: int) -> None:
    """Both example flows, `runs` times each, answered by touch; report every latency."""
    from kiosk.cli.flows_run import _library, _services
    from kiosk.clock import ManualClock
    from kiosk.flow.loader import DEFAULT_FLOWS_DIR
    from kiosk.flow.scripted import ScriptedRenderer, load_script
    from kiosk.flow.session import Session
    from kiosk.ui.tour import TourOptions, TourRenderer, running_app
    from kiosk.voice.script import spoken

    flows = {
        "si-certificate": load_script(DEFAULT_FLOWS_DIR / "si-certificate.answers.yaml"),
        "resident-feedback": load_script(DEFAULT_FLOWS_DIR / "resident-feedback.answers.yaml"),
    }
    _flow, library = _library("si-certificate", DEFAULT_FLOWS_DIR)
    library.flows.update(_library("resident-feedback", DEFAULT_FLOWS_DIR)[1].flows)  # both run
    clock = ManualClock(start=time.time())
    latencies: list[float] = []
    transitions: list[str] = []
    outcomes: list[str] = []

    async def main() -> None:
        options = TourOptions(out=None, language="zh_CN")
        with _services(None, library, flows["si-certificate"], clock) as services:
            async with running_app(options, clock) as ui:
                for _ in range(runs):
                    for flow_id, script in flows.items():
                        session = Session(clock, language="zh_CN")
                        ui.core.open(session)
                        oracle = ScriptedRenderer(script, clock=clock)
                        tour = TourRenderer(ui.shell, ui.core, oracle, ui.camera, None, spoken)
                        outcome = await services.engine.run(flow_id, session, tour)
                        outcomes.append(outcome.status)
                        for i, tapped in enumerate(tour.tapped_at[:-1]):
                            if tapped is not None:
                                latencies.append(tour.drawn_at[i + 1] - tapped)
                                steps = (tour.screens[i].step, tour.screens[i + 1].step)
                                transitions.append(f"{flow_id}: {steps[0]} → {steps[1]}")
                        ui.core.end()

    asyncio.run(main())
    _report(latencies=latencies, transitions=transitions, outcomes=outcomes, rss_mb=_peak_rss_mb())


# -- parent -----------------------------------------------------------------------------------


def _env(kivy_home: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        KIVY_NO_ARGS="1",
        KIVY_HOME=kivy_home,
        KIVY_LOG_MODE="PYTHON",
        KIVY_NO_FILELOG="1",
        KCFG_KIVY_LOG_LEVEL="critical",
        PYTHONPATH=str(ROOT),
    )
    return env


def _spawn(kind: str, env: dict[str, str], *extra: str) -> tuple[dict[str, Any], float]:
    started = time.time()
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"{kind} child failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(lines[-1]), started


def _cold_start(kind: str, env: dict[str, str], timeout: float = 120.0) -> tuple[float, float]:
    """One cold start of `bare` or `kiosk`: (seconds from spawn to first frame, peak RSS MB)."""
    with (
        tempfile.TemporaryDirectory(prefix="kiosk-bench-run-") as cwd,
        tempfile.TemporaryFile("w+") as err,
    ):
        args: tuple[str, ...] = KIOSK_RUN
        if kind == "bare":
            # a file, not `-c`: Kivy's App looks for a .kv file beside its class's source
            (Path(cwd) / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
            args = ("bare_app.py",)
        started = time.time()
        proc = subprocess.Popen(
            [sys.executable, *args], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=err, text=True
        )
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            assert proc.stdout is not None
            out = proc.stdout.read()
            # wait4 rather than wait: the child's resource usage (its peak RSS) comes with it
            _pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        finally:
            killer.cancel()
            if proc.stdout is not None:
                proc.stdout.close()
        at: float | None = None
        if kind == "bare":
            lines = [line for line in out.splitlines() if line.startswith("{")]
            at = json.loads(lines[-1])["at"] if lines else None
        elif found := _DRAWN.search(out):
            at = float(found.group(1))
        if proc.returncode != 0 or at is None:
            err.seek(0)
            raise SystemExit(
                f"{kind} cold start failed ({proc.returncode}):\n{out[-1000:]}{err.read()[-2000:]}"
            )
    return at - started, usage.ru_maxrss / 1024  # KiB on Linux


def _profile(kind: str, runs: int) -> None:
    profiler = cProfile.Profile()
    if kind == "startup":
        from kiosk.cli import main as kiosk_main

        with tempfile.TemporaryDirectory(prefix="kiosk-bench-run-") as cwd:
            os.chdir(cwd)
            try:
                profiler.enable()
                kiosk_main(list(KIOSK_RUN[2:]))
                profiler.disable()
            finally:
                os.chdir(ROOT)
    else:
        profiler.enable()
        child_latency(runs)
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    print(out.getvalue())


def main() -> int | None:
    """Run the side-by-side start-up comparison and the latency run; print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="cold starts of each app")
    parser.add_argument("--runs", type=int, default=10, help="runs of each flow for latency")
    parser.add_argument("--profile", choices=["startup", "latency"])
    parser.add_argument("--child", choices=["latency"], help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="a short run: shows that it works")
    args = parser.parse_args()
    if args.child == "latency":
        return child_latency(args.runs)
    if args.quick:
        args.repeat, args.runs = 1, 1
    goals = Goals(quick=args.quick)

    with tempfile.TemporaryDirectory(prefix="kiosk-bench-kivy-") as kivy_home:
        env = _env(kivy_home)
        if args.profile:
            os.environ.update(env)
            return _profile(args.profile, args.runs)
        for kind in ("bare", "kiosk"):
            _cold_start(kind, env)  # unmeasured: see the module's docstring
        results: dict[str, list[tuple[float, float]]] = {"bare": [], "kiosk": []}
        for _ in range(args.repeat):
            for kind in ("bare", "kiosk"):
                results[kind].append(_cold_start(kind, env))
        med = {k: statistics.median(t for t, _ in v) for k, v in results.items()}
        rss = {k: statistics.median(r for _, r in v) for k, v in results.items()}
        ratio = med["kiosk"] / med["bare"]
        print(f"cold start, spawn to first frame ({args.repeat} runs each, medians):")
        labels = (("bare", "bare Kivy app (one label)"), ("kiosk", "kiosk run --simulate"))
        for kind, label in labels:
            times = ", ".join(f"{t:.2f}" for t, _ in results[kind])
            print(f"  {label:28} {med[kind]:.3f} s  peak RSS {rss[kind]:.0f} MB  [{times}]")
        goals.check(
            f"cold start ≤ {START_TARGET}x a bare Kivy app",
            f"ratio kiosk/bare {ratio:.2f}",
            ratio <= START_TARGET,
        )

        report, _ = _spawn("latency", env, "--runs", str(args.runs))
        ms = sorted(v * 1000 for v in report["latencies"])
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        median = statistics.median(ms)
        finished = report["outcomes"].count("finished")
        print(
            f"tap to next screen drawn ({len(ms)} taps, {finished}/{len(report['outcomes'])} "
            f"flows finished, peak RSS {report['rss_mb']:.0f} MB):"
        )
        print(f"  median {median:.1f} ms  p95 {p95:.1f} ms  max {ms[-1]:.1f} ms")
        goals.check(
            f"tap to next screen median < {LATENCY_TARGET_MS:.0f} ms",
            f"median {median:.1f} ms, p95 {p95:.1f} ms",
            median < LATENCY_TARGET_MS,
        )
        by: dict[str, list[float]] = {}
        for name, value in zip(report["transitions"], report["latencies"], strict=True):
            by.setdefault(name, []).append(value * 1000)
        for name, values in sorted(by.items(), key=lambda kv: -statistics.median(kv[1])):
            print(f"    {statistics.median(values):6.1f} ms median, {max(values):6.1f} max  {name}")
    return goals.exit_code()


if __name__ == "__main__":
    sys.exit(main())
