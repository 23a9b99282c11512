"""Kiosk UI speed: cold start against a bare Kivy app, and tap-to-next-screen latency.

    python benchmarks/ui.py [--repeat 5] [--runs 10] [--profile startup|latency]

1. Cold start, side by side (each a fresh process, alternating, medians): the kiosk app as
   `kiosk run --simulate` starts it (`KioskServices` on the embedded defaults with simulated
   devices and the demo back office, `KioskApp` fullscreen, the attract screen), measured from
   process spawn to the first frame drawn after the attract screen is built; against a bare
   Kivy app showing one label, to its first frame. Target: kiosk ≤ 1.5× the bare app. Peak RSS
   (`getrusage`) of each at that frame.
2. Tap latency: both example flows run `--runs` times in one kiosk app (1280×1024, software
   rendering), answered by simulated touches (`kiosk.ui.tour.TourRenderer` without pictures);
   the time from the answering touch to the first frame drawn with the next screen.
   Target: median < 100 ms.

Headless: with no DISPLAY, Kivy's SDL2 renders offscreen with Mesa. Each child process gets
`KIVY_NO_ARGS=1` and a private `KIVY_HOME`. `--profile` runs one child under cProfile and prints
the top costs.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

START_TARGET = 1.5
LATENCY_TARGET_MS = 100.0
ROOT = Path(__file__).resolve().parents[1]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _report(**values: Any) -> None:
    # the parent reads the last line of stdout
    print(json.dumps(values), flush=True)


def _after_first_frame(callback: Any) -> None:
    """Call `callback(window)` in the handler of the next frame drawn (before its swap)."""
    from kivy.core.window import Window

    def flipped(*_: Any) -> None:
        Window.unbind(on_flip=flipped)
        callback(Window)

    Window.bind(on_flip=flipped)
    Window.canvas.ask_update()


# -- children ---------------------------------------------------------------------------------


def child_bare() -> None:
    """One label, to its first frame."""
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.uix.label import Label

    class Bare(App):  # type: ignore[misc]
        def build(self) -> Label:
            return Label(text="Hello")

        def on_start(self) -> None:
            def drawn(window: Any) -> None:
                _report(at=time.time(), rss_mb=_peak_rss_mb(), size=list(window.size))
                Clock.schedule_once(lambda _dt: self.stop(), 0)

            _after_first_frame(drawn)

    Bare().run()


def child_kiosk() -> None:
    """`kiosk run --simulate`'s start: services, the app, the attract screen, its first frame."""
    from kiosk.app import KioskServices
    from kiosk.config import load_config
    from kiosk.ui.app import KioskApp
    from kiosk.ui.catalogue import AttractInfo
    from kiosk.ui.lockdown import WindowOptions

    async def main(data_dir: Path) -> None:
        config = load_config(None)
        with KioskServices(config, simulate=True, data_dir=data_dir):
            options = WindowOptions()
            app = KioskApp(options=options, language=config.terminal.language)
            done = asyncio.get_running_loop().create_future()

            def started(*_: Any) -> None:
                assert app.shell is not None
                name = config.terminal.name
                app.shell.show_attract(AttractInfo({"zh_CN": name.zh_CN, "en": name.en}), print)
                _after_first_frame(drawn)

            def drawn(window: Any) -> None:
                _report(at=time.time(), rss_mb=_peak_rss_mb(), size=list(window.size))
                done.set_result(None)

            app.bind(on_start=started)
            task = asyncio.ensure_future(app.async_run(async_lib="asyncio"))
            await asyncio.wait({done, task}, return_when=asyncio.FIRST_COMPLETED)
            app.stop()
            await task

    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as data_dir:
        asyncio.run(main(Path(data_dir)))


def child_latency(runs: int) -> None:
    """Both example flows, `runs` times each, answered by touch; report every latency."""
    from kiosk.cli.flows_run import _library, _services
    from kiosk.clock import ManualClock
    from kiosk.flow.loader import DEFAULT_FLOWS_DIR
    from kiosk.flow.scripted import ScriptedRenderer, load_script
    from kiosk.flow.session import Session
    from kiosk.ui.tour import TourOptions, TourRenderer, running_app

    flows = {
        "si-certificate": load_script(DEFAULT_FLOWS_DIR / "si-certificate.answers.yaml"),
        "resident-feedback": load_script(DEFAULT_FLOWS_DIR / "resident-feedback.answers.yaml"),
    }
    _flow, library = _library("si-certificate", DEFAULT_FLOWS_DIR)
    clock = ManualClock(start=time.time())
    latencies: list[float] = []
    transitions: list[str] = []
    outcomes: list[str] = []

    async def main() -> None:
        holder: dict[str, Session] = {}
        options = TourOptions(out=None, language="zh_CN")
        with _services(None, library, flows["si-certificate"], clock) as services:
            async with running_app(options, lambda lang: holder["s"].set_language(lang)) as ui:
                for _ in range(runs):
                    for flow_id, script in flows.items():
                        session = holder["s"] = Session(clock, language="zh_CN")
                        oracle = ScriptedRenderer(script, clock=clock)
                        tour = TourRenderer(ui.shell, ui.renderer, oracle, ui.camera, None)
                        outcome = await services.engine.run(flow_id, session, tour)
                        outcomes.append(outcome.status)
                        for i, tapped in enumerate(tour.tapped_at[:-1]):
                            if tapped is not None:
                                latencies.append(tour.drawn_at[i + 1] - tapped)
                                steps = (tour.screens[i].step, tour.screens[i + 1].step)
                                transitions.append(f"{flow_id}: {steps[0]} → {steps[1]}")
                        ui.shell.reset()

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


def _profile(kind: str, runs: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    if kind == "startup":
        child_kiosk()
    else:
        child_latency(runs)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    print(out.getvalue())


def main() -> None:
    """Run the side-by-side start-up comparison and the latency run; print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="cold starts of each app")
    parser.add_argument("--runs", type=int, default=10, help="runs of each flow for latency")
    parser.add_argument("--profile", choices=["startup", "latency"])
    parser.add_argument("--child", choices=["bare", "kiosk", "latency"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "bare":
        return child_bare()
    if args.child == "kiosk":
        return child_kiosk()
    if args.child == "latency":
        return child_latency(args.runs)

    with tempfile.TemporaryDirectory(prefix="kiosk-bench-kivy-") as kivy_home:
        env = _env(kivy_home)
        if args.profile:
            os.environ.update(env)
            return _profile(args.profile, args.runs)
        _spawn("bare", env)  # first run writes Kivy's config and warms the page cache
        _spawn("kiosk", env)
        results: dict[str, list[tuple[float, float]]] = {"bare": [], "kiosk": []}
        sizes: dict[str, Any] = {}
        for _ in range(args.repeat):
            for kind in ("bare", "kiosk"):
                report, started = _spawn(kind, env)
                results[kind].append((report["at"] - started, report["rss_mb"]))
                sizes[kind] = report["size"]
        med = {k: statistics.median(t for t, _ in v) for k, v in results.items()}
        rss = {k: statistics.median(r for _, r in v) for k, v in results.items()}
        ratio = med["kiosk"] / med["bare"]
        print(f"cold start to first frame ({args.repeat} runs each, medians):")
        for kind, label in (("bare", "bare Kivy app (one label)"), ("kiosk", "kiosk (attract)")):
            times = ", ".join(f"{t:.2f}" for t, _ in results[kind])
            print(
                f"  {label:28} {med[kind]:.3f} s  peak RSS {rss[kind]:.0f} MB"
                f"  window {sizes[kind][0]}x{sizes[kind][1]}  [{times}]"
            )
        verdict = "ok" if ratio <= START_TARGET else "SLOWER THAN TARGET"
        print(f"  ratio kiosk/bare {ratio:.2f} (target ≤ {START_TARGET}) {verdict}")

        report, _ = _spawn("latency", env, "--runs", str(args.runs))
        ms = sorted(v * 1000 for v in report["latencies"])
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        median = statistics.median(ms)
        finished = report["outcomes"].count("finished")
        print(
            f"tap to next screen drawn ({len(ms)} taps, {finished}/{len(report['outcomes'])} "
            f"flows finished, peak RSS {report['rss_mb']:.0f} MB):"
        )
        verdict = "ok" if median < LATENCY_TARGET_MS else "SLOWER THAN TARGET"
        print(
            f"  median {median:.1f} ms  p95 {p95:.1f} ms  max {ms[-1]:.1f} ms"
            f"  (target median < {LATENCY_TARGET_MS:.0f} ms) {verdict}"
        )
        by: dict[str, list[float]] = {}
        for name, value in zip(report["transitions"], report["latencies"], strict=True):
            by.setdefault(name, []).append(value * 1000)
        for name, values in sorted(by.items(), key=lambda kv: -statistics.median(kv[1])):
            print(f"    {statistics.median(values):6.1f} ms median, {max(values):6.1f} max  {name}")
    return None


if __name__ == "__main__":
    main()
