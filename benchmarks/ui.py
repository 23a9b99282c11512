"""Kiosk UI speed and memory: cold start and resident memory against a bare Kivy app, and
tap-to-next-screen latency.

    python benchmarks/ui.py [--repeat 5] [--runs 10] [--profile startup|latency] [--quick]

1. Cold start, side by side (each a fresh process, the two taking turns, medians): exactly
   `python -m kiosk run --simulate --exit-after-first-frame` (the embedded defaults, simulated
   devices, the demo back office, the fullscreen window), run in an empty folder, against a bare
   Kivy app showing one label (`BARE_APP`: nothing imported but Kivy) in the same window (the
   same fullscreen and borderless configuration, so the same size and the same software GL).
   Both are timed the same way: from just before the process is spawned to the wall-clock time
   the child reports for its first frame drawn (the kiosk prints it as `attract screen drawn in
   N.NN s (wall clock T, CPU C s)`), and by the CPU time the child had spent by that frame
   (`time.process_time()`, every thread: what the start cost, whatever else the machine runs).
   Two conditions, both reported:
   - first boot: every start of either side gets an empty `KIVY_HOME` and `XDG_CACHE_HOME`
     (Kivy writes its configuration, Mesa compiles its shaders). The kiosk's installation has
     run its install steps first, as `scripts/setup.sh` does (`scripts/extract-cjk-font.py`:
     the Chinese font it draws with; `python -m kiosk.ui.install_cache`: the parsed
     translations and the font check are read from `build/cache/`, and its modules' bytecode
     is compiled, as Kivy's is by `pip install`);
   - warm: one `KIVY_HOME` and `XDG_CACHE_HOME` for all, filled by one unmeasured start of each.
   Python's bytecode and the OS page cache are warm in both. Target (wall clock): kiosk ≤ 1.5×
   the bare app.
2. Tap latency, normal and elder mode (each its own process): both example flows run `--runs`
   times in one kiosk app (1280×1024, software rendering), the attract screen shown before and
   between them as in a running kiosk (its idle collections too), answered by simulated touches
   (`kiosk.ui.tour.TourRenderer` without pictures), plus the pinyin keyboard on the free-text
   screen (elder mode: the keyboard button first; two letters, a candidate, clear). Measured:
   the time from the touch to the first frame drawn with its result, in wall-clock time (what a
   resident waits) and in the CPU time of the whole kiosk process (all its threads, Mesa's
   rasteriser threads too: what the kiosk spent, whatever else the machine runs). Targets
   (wall clock): median < 50 ms, p95 < 100 ms. A third run (normal mode, `--runs` / 5 times)
   walks every shipped service whose main answers file waits for no ID card (`walked_flows`:
   the parcel locker's flows in locker mode), each with its own services, in one app.
3. Resident memory: the RSS of the latency process after its `2 × runs` flows (20 by default),
   and after the first two (growth per flow), against the RSS of the bare app showing its first
   frame in a window of the same size (1280×1024). Target: ≤ 1.5× the bare app.

Headless: with no DISPLAY, Kivy's SDL2 renders offscreen with Mesa. Each child gets
`KIVY_NO_ARGS=1`. `--profile` runs under cProfile and prints the top costs (`startup`: the
kiosk's `run --simulate --exit-after-first-frame` in this process; `latency`: the flows). Each
target is printed as a PASS or FAIL line; `--quick` (one start of each, one run of each flow,
normal mode) only shows that the benchmark runs, and exits 0 whatever the figures.
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
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

START_TARGET = 1.5
MEDIAN_TARGET_MS = 50.0
P95_TARGET_MS = 100.0
MEMORY_TARGET = 1.5
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from side_by_side import Goals  # noqa: E402

BARE_APP = """
import json, sys, time
from kivy.config import Config

if sys.argv[1:] == ["fullscreen"]:  # as the kiosk's window (kiosk.ui.lockdown.configure)
    Config.set("graphics", "fullscreen", "auto")
    Config.set("graphics", "borderless", "1")
else:
    width, height = sys.argv[1:3]
    Config.set("graphics", "fullscreen", "0")
    Config.set("graphics", "borderless", "1")
    Config.set("graphics", "width", width)
    Config.set("graphics", "height", height)
from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.label import Label


def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Bare(App):
    def build(self):
        return Label(text="Hello")

    def on_start(self):
        def flipped(*_):
            Window.unbind(on_flip=flipped)
            at, cpu = time.time(), time.process_time()
            Clock.schedule_once(lambda _dt: report(at, cpu), 0)

        def report(at, cpu):
            size = list(Window.size)
            print(json.dumps({"at": at, "cpu": cpu, "rss_mb": rss_mb(), "size": size}), flush=True)
            self.stop()

        Window.bind(on_flip=flipped)
        Window.canvas.ask_update()


Bare().run()
"""
"""The bare app: one label; prints its first frame's wall-clock and CPU time and its RSS, then
stops."""

KIOSK_RUN = ("-m", "kiosk", "run", "--simulate", "--exit-after-first-frame")
"""The kiosk side of the cold start, after `python`."""
TOUR_SIZE = (1280, 1024)
"""The latency run's window (`kiosk.ui.tour.TourOptions`), and the bare app's for memory."""

_DRAWN = re.compile(r"attract screen drawn in [0-9.]+ s \(wall clock ([0-9.]+), CPU ([0-9.]+) s\)")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _report(**values: Any) -> None:
    # the parent reads the last line of stdout
    print(json.dumps(values), flush=True)


# -- children ---------------------------------------------------------------------------------


def walked_flows(every: bool) -> list[str]:
    """The flows the tap walk runs: both example flows, or (`every`) each shipped service whose
    main answers file (`<flow>.answers.yaml`) waits for no ID card to be read."""
    from kiosk.flow.loader import DEFAULT_FLOWS_DIR

    if not every:
        return ["si-certificate", "resident-feedback"]
    found = []
    for path in sorted(DEFAULT_FLOWS_DIR.glob("*.answers.yaml")):
        if path.name.count(".") == 2 and "id_card:" not in path.read_text(encoding="utf-8"):
            found.append(path.name.removesuffix(".answers.yaml"))
    return found


def child_latency(runs: int, elder: bool = False, every: bool = False) -> None:
    """The walked flows (`walked_flows`), `runs` times each, answered by touch; report every
    latency. Both example flows share one set of services; `every` service gets its own (its
    terminal mode, its answers file's devices and stock), the app staying up between them."""
    import contextlib

    from kiosk.cli.flows_run import _library, _services, mode_of
    from kiosk.clock import ManualClock
    from kiosk.flow.inputs import InputType
    from kiosk.flow.loader import DEFAULT_FLOWS_DIR
    from kiosk.flow.prompt import Prompt
    from kiosk.flow.scripted import ScriptedRenderer, load_script
    from kiosk.flow.session import Session
    from kiosk.session.state import AttractInfo
    from kiosk.ui import idle_gc
    from kiosk.ui.tour import TourOptions, TourRenderer, running_app
    from kiosk.voice.script import spoken

    names = walked_flows(every)
    flows = {name: load_script(DEFAULT_FLOWS_DIR / f"{name}.answers.yaml") for name in names}
    _flow, library = _library(names[0], DEFAULT_FLOWS_DIR)
    for name in names[1:]:
        library.flows.update(_library(name, DEFAULT_FLOWS_DIR)[1].flows)  # all of them run
    clock = ManualClock(start=time.time())
    latencies: list[tuple[str, float, float]] = []  # (what, wall s, process CPU s)
    outcomes: list[str] = []
    rss: list[float] = []

    class KeyboardTour(TourRenderer):
        """Taps the pinyin keyboard on a free-text screen before the scripted answer."""

        flow_id = ""

        async def _type(self, prompt: Prompt, value: str) -> None:
            rules = prompt.input
            if rules is None or rules.input_type is InputType.TEXT:
                for kiosk_id in ("action.keyboard", "key.l", "key.u", "cand.0", "key.clear"):
                    await self._timed_tap(kiosk_id)
            await super()._type(prompt, value)

        async def _timed_tap(self, kiosk_id: str) -> None:
            wall, cpu = time.perf_counter(), time.process_time()
            if not self.tap(kiosk_id):
                return
            await self.camera.frame()
            latencies.append(
                (
                    f"{self.flow_id}: keyboard {kiosk_id}",
                    self.camera.flipped_at - wall,
                    self.camera.flipped_cpu - cpu,
                )
            )

    async def main() -> None:
        options = TourOptions(out=None, language="zh_CN", elder=elder, size=TOUR_SIZE)
        shared = None if every else _services(None, library, flows[names[0]], clock)
        with shared or contextlib.nullcontext() as common:
            async with running_app(options, clock) as ui:
                # as the kiosk's session loop: the attract screen before and between sessions
                attract = AttractInfo({"zh_CN": "社区服务站", "en": "Service point"})
                ui.core.show_attract(attract)
                await ui.camera.frame()
                idle_gc.enable()  # as `kiosk run` after its first frame
                for _ in range(runs):
                    for flow_id, script in flows.items():
                        own = contextlib.ExitStack()  # closed once the flow is done
                        services = common
                        if every:  # the service's own terminal mode, devices and stock
                            mode = mode_of(library.flow(flow_id))
                            services = own.enter_context(
                                _services(None, library, script, clock, mode)
                            )
                        assert services is not None
                        session = Session(clock, language="zh_CN")
                        ui.core.open(session)
                        oracle = ScriptedRenderer(script, clock=clock)
                        tour = KeyboardTour(ui.shell, ui.core, oracle, ui.camera, None, spoken)
                        tour.flow_id = flow_id
                        outcome = await services.engine.run(flow_id, session, tour)
                        outcomes.append(outcome.status)
                        for i, tapped in enumerate(tour.tapped_at[:-1]):
                            cpu = tour.tapped_cpu[i]
                            if tapped is not None and cpu is not None:
                                steps = (tour.screens[i].step, tour.screens[i + 1].step)
                                latencies.append(
                                    (
                                        f"{flow_id}: {steps[0]} → {steps[1]}",
                                        tour.drawn_at[i + 1] - tapped,
                                        tour.drawn_cpu[i + 1] - cpu,
                                    )
                                )
                        ui.core.end()
                        own.close()
                        ui.core.show_attract(attract)
                        await ui.camera.frame()  # the attract screen is back
                        rss.append(_rss_mb())

    asyncio.run(main())
    _report(latencies=latencies, outcomes=outcomes, rss_mb=rss)


# -- parent -----------------------------------------------------------------------------------


def _env(kivy_home: str, cache_home: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        KIVY_NO_ARGS="1",
        KIVY_HOME=kivy_home,
        XDG_CACHE_HOME=cache_home,
        KIVY_LOG_MODE="PYTHON",
        KIVY_NO_FILELOG="1",
        KCFG_KIVY_LOG_LEVEL="critical",
        PYTHONPATH=str(ROOT),
    )
    return env


def _spawn(kind: str, env: dict[str, str], *extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"{kind} child failed ({done.returncode}):\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _start(kind: str, env: dict[str, str], *bare_args: str) -> tuple[float, float, dict[str, Any]]:
    """One cold start of `bare` or `kiosk`: seconds from spawn to first frame, the child's CPU
    seconds by then, and what the bare app reports (its RSS and window size)."""
    with (
        tempfile.TemporaryDirectory(prefix="kiosk-bench-run-") as cwd,
        tempfile.TemporaryFile("w+") as err,
    ):
        args: tuple[str, ...] = KIOSK_RUN
        if kind == "bare":
            # a file, not `-c`: Kivy's App looks for a .kv file beside its class's source
            (Path(cwd) / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
            args = ("bare_app.py", *(bare_args or ("fullscreen",)))
        started = time.time()
        proc = subprocess.Popen(
            [sys.executable, *args], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=err, text=True
        )
        killer = threading.Timer(120.0, proc.kill)
        killer.start()
        try:
            out, _ = proc.communicate()
        finally:
            killer.cancel()
        at: float | None = None
        cpu = 0.0
        info: dict[str, Any] = {}
        if kind == "bare":
            lines = [line for line in out.splitlines() if line.startswith("{")]
            info = json.loads(lines[-1]) if lines else {}
            at, cpu = info.get("at"), info.get("cpu", 0.0)
        elif found := _DRAWN.search(out):
            at, cpu = float(found.group(1)), float(found.group(2))
        if proc.returncode != 0 or at is None:
            err.seek(0)
            raise SystemExit(
                f"{kind} cold start failed ({proc.returncode}):\n{out[-1000:]}{err.read()[-2000:]}"
            )
    return at - started, cpu, info


def _cold_starts(goals: Goals, repeat: int) -> None:
    """First-boot and warm starts of both sides, taking turns; print medians and verdicts."""
    # the install steps (scripts/setup.sh) a real kiosk installation runs: the Chinese font
    # extracted into assets/fonts/ (what the kiosk then draws with), translations parsed, the
    # font checked and the bytecode compiled once (the bare app has no such step)
    install = _env("", "")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "extract-cjk-font.py")], check=True)
    subprocess.run([sys.executable, "-m", "kiosk.ui.install_cache"], env=install, check=True)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-warm-") as warm:
        warm_env = _env(f"{warm}/kivy", f"{warm}/cache")
        for kind in ("bare", "kiosk"):
            _start(kind, warm_env)  # unmeasured: fills the warm side's caches
        times: dict[tuple[str, str], list[float]] = {}
        cpus: dict[tuple[str, str], list[float]] = {}
        size: list[int] = []
        for _ in range(repeat):
            for condition in ("first boot", "warm"):
                for kind in ("bare", "kiosk"):
                    with tempfile.TemporaryDirectory(prefix="kiosk-bench-fresh-") as fresh:
                        env = warm_env
                        if condition == "first boot":
                            env = _env(f"{fresh}/kivy", f"{fresh}/cache")
                        seconds, cpu, info = _start(kind, env)
                    times.setdefault((condition, kind), []).append(seconds)
                    cpus.setdefault((condition, kind), []).append(cpu)
                    size = info.get("size", size)
    print(f"cold start, spawn to first frame ({repeat} runs each, medians; window {size}):")
    for condition in ("first boot", "warm"):
        med = {kind: statistics.median(times[(condition, kind)]) for kind in ("bare", "kiosk")}
        cpu = {kind: statistics.median(cpus[(condition, kind)]) for kind in ("bare", "kiosk")}
        for kind, label in (("bare", "bare Kivy app (one label)"), ("kiosk", "kiosk run")):
            runs = ", ".join(f"{t:.2f}" for t in times[(condition, kind)])
            print(f"  {condition:10} {label:26} {med[kind]:.3f} s  [{runs}]  CPU {cpu[kind]:.3f} s")
        ratio = med["kiosk"] / med["bare"]
        goals.check(
            f"cold start ({condition}) ≤ {START_TARGET}x a bare Kivy app",
            f"ratio kiosk/bare {ratio:.2f} (CPU {cpu['kiosk'] / cpu['bare']:.2f})",
            ratio <= START_TARGET,
        )


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _latency(goals: Goals, runs: int, modes: tuple[str, ...]) -> list[float]:
    """Tap latency in each mode; returns the RSS figures of the normal-mode run."""
    rss: list[float] = []
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-lat-") as home:
        env = _env(f"{home}/kivy", f"{home}/cache")
        for mode in modes:
            extra = ("--runs", str(runs), *(("--elder",) if mode == "elder" else ()))
            if mode == "every service":  # each shipped service once a run, fewer runs
                extra = ("--runs", str(max(1, runs // 5)), "--every")
            report = _spawn("latency", env, *extra)
            if mode == "normal":
                rss = report["rss_mb"]
            wall = [w * 1000 for _name, w, _cpu in report["latencies"]]
            cpu = [c * 1000 for _name, _w, c in report["latencies"]]
            finished = report["outcomes"].count("finished")
            print(
                f"tap to next screen drawn, {mode} mode ({len(wall)} taps, "
                f"{finished}/{len(report['outcomes'])} flows finished):"
            )
            for label, values in (("wall clock", wall), ("kiosk CPU", cpu)):
                print(
                    f"  {label:14} median {statistics.median(values):6.1f} ms  "
                    f"p95 {_percentile(values, 0.95):6.1f} ms  max {max(values):6.1f} ms"
                )
            by: dict[str, list[tuple[float, float]]] = {}
            for name, w, c in report["latencies"]:
                by.setdefault(name, []).append((w * 1000, c * 1000))
            ranked = sorted(by.items(), key=lambda kv: -statistics.median(w for w, _ in kv[1]))
            for name, values in ranked:
                walls = [w for w, _ in values]
                cpus = [c for _, c in values]
                print(
                    f"    {statistics.median(walls):6.1f} ms median, {max(walls):6.1f} max "
                    f"(CPU {statistics.median(cpus):5.1f} median)  {name}"
                )
            median, p95 = statistics.median(wall), _percentile(wall, 0.95)
            goals.check(
                f"tap to next screen ({mode}) median < {MEDIAN_TARGET_MS:.0f} ms",
                f"median {median:.1f} ms (kiosk CPU {statistics.median(cpu):.1f} ms)",
                median < MEDIAN_TARGET_MS,
            )
            goals.check(
                f"tap to next screen ({mode}) p95 < {P95_TARGET_MS:.0f} ms",
                f"p95 {p95:.1f} ms (kiosk CPU {_percentile(cpu, 0.95):.1f} ms)",
                p95 < P95_TARGET_MS,
            )
    return rss


def _memory(goals: Goals, rss: list[float], repeat: int) -> None:
    """The latency run's RSS after its flows against the bare app in a window of its size."""
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-mem-") as home:
        env = _env(f"{home}/kivy", f"{home}/cache")
        size = tuple(str(v) for v in TOUR_SIZE)
        bare = [_start("bare", env, *size)[2]["rss_mb"] for _ in range(max(1, min(repeat, 3)))]
    base = statistics.median(bare)
    flows = len(rss)
    growth = (rss[-1] - rss[min(1, flows - 1)]) / max(1, flows - 2)
    print(
        f"resident memory: kiosk after {flows} flows {rss[-1]:.0f} MB (after 2: "
        f"{rss[min(1, flows - 1)]:.0f} MB, {growth:+.2f} MB per flow since); bare Kivy app "
        f"{TOUR_SIZE[0]}×{TOUR_SIZE[1]} {base:.0f} MB"
    )
    ratio = rss[-1] / base
    goals.check(
        f"resident memory after {flows} flows ≤ {MEMORY_TARGET}x a bare Kivy app",
        f"ratio kiosk/bare {ratio:.2f} ({rss[-1]:.0f} / {base:.0f} MB)",
        ratio <= MEMORY_TARGET,
    )


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
    """Run the side-by-side start-up comparison, the latency runs and the memory check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="cold starts of each app")
    parser.add_argument("--runs", type=int, default=10, help="runs of each flow for latency")
    parser.add_argument("--profile", choices=["startup", "latency"])
    parser.add_argument("--child", choices=["latency"], help=argparse.SUPPRESS)
    parser.add_argument("--elder", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--every", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="a short run: shows that it works")
    args = parser.parse_args()
    if args.child == "latency":
        return child_latency(args.runs, args.elder, args.every)
    if args.quick:
        args.repeat, args.runs = 1, 1
    goals = Goals(quick=args.quick)
    if args.profile:
        with tempfile.TemporaryDirectory(prefix="kiosk-bench-prof-") as home:
            os.environ.update(_env(f"{home}/kivy", f"{home}/cache"))
            return _profile(args.profile, args.runs)
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores shared with other work)")
    _cold_starts(goals, args.repeat)
    modes = ("normal",) if args.quick else ("normal", "elder", "every service")
    rss = _latency(goals, args.runs, modes)
    _memory(goals, rss, args.repeat)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return goals.exit_code()


if __name__ == "__main__":
    sys.exit(main())
