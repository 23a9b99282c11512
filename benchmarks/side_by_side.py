"""What every benchmark shares: alternating timed runs, medians and p95, a goal and its verdict.

Honest comparisons run the same work on both sides under the same conditions: the garbage
collector paused on both (`paused`), caches cleared or warmed the same way (`before` hooks),
the two sides taking turns run after run (`alternate`) so that a noisy neighbour on the machine
slows both alike. Each benchmark prints one `PASS` or `FAIL` line per goal (`Goals`), and exits
1 when a goal failed, except in its `--quick` mode, which only shows that it runs.
"""

from __future__ import annotations

import compileall
import gc
import math
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@contextmanager
def paused() -> Iterator[None]:
    """Collect once, then keep the cyclic collector off while timing (restored after)."""
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass(frozen=True)
class Sample:
    """Times of one side, in seconds."""

    name: str
    times: tuple[float, ...]

    @property
    def median(self) -> float:
        """The median time."""
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        """The 95th percentile (nearest rank): the slowest time for fewer than 20 runs."""
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    def line(self, unit: str = "ms") -> str:
        """`name  median  p95  (n runs)` in `unit` (ms or s)."""
        scale = 1000.0 if unit == "ms" else 1.0
        return (
            f"  {self.name:34} median {self.median * scale:9.2f} {unit}"
            f"   p95 {self.p95 * scale:9.2f} {unit}   ({len(self.times)} runs)"
        )


def alternate(
    sides: Mapping[str, Callable[[], object]],
    runs: int,
    *,
    before: Callable[[], None] | None = None,
    warmup: int = 1,
    clock: Callable[[], float] = time.perf_counter,
    reported: bool = False,
) -> dict[str, Sample]:
    """Time each side `runs` times, taking turns, GC paused; `before` runs untimed before each.

    `warmup` untimed rounds come first (imports, page cache) so that no side pays for them alone.
    `clock`: what is read before and after each run (`time.process_time` for the CPU time of
    this process, all its threads); `reported`: each side returns its own time instead (the CPU
    time of a child process, `child_cpu`).
    """
    times: dict[str, list[float]] = {name: [] for name in sides}
    for round_ in range(warmup + runs):
        for name, action in sides.items():
            if before is not None:
                before()
            with paused():
                start = clock()
                result = action()
                elapsed = clock() - start
            if reported:
                assert isinstance(result, float), f"{name} reported no time"
                elapsed = result
            if round_ >= warmup:
                times[name].append(elapsed)
    return {name: Sample(name, tuple(values)) for name, values in times.items()}


def process_time(
    argv: Sequence[str], *, cwd: str | None = None, env: dict[str, str] | None = None
) -> float:
    """Seconds from spawning `argv` to its exit (the whole process: start-up, imports, work)."""
    start = time.perf_counter()
    done = subprocess.run(
        list(argv), cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: findings or a failed flow are still a finished run
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def child_cpu(
    argv: Sequence[str], *, cwd: str | None = None, env: dict[str, str] | None = None
) -> float:
    """CPU seconds (user + system, all threads) `argv` used from spawning to its exit.

    On a machine shared with other work, CPU time says what a command costs far more steadily
    than the time on the clock, which counts the time spent waiting for a core too.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        list(argv), cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: findings or a failed flow are still a finished run
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def compiled(*packages: Path) -> None:
    """Compile `packages` to bytecode beside their sources, as installing them would.

    Whole-process timings would otherwise count compiling every module from source in each run
    where the environment forbids writing bytecode (`PYTHONDONTWRITEBYTECODE`).
    """
    for package in packages:
        compileall.compile_dir(package, quiet=1, workers=1)


def ratio(ours: Sample, baseline: Sample) -> float:
    """Median over median."""
    return ours.median / baseline.median


@dataclass
class Goals:
    """The goals a benchmark checks; each prints `PASS` or `FAIL` with what was measured."""

    quick: bool = False
    failed: list[str] = field(default_factory=list)

    def check(self, goal: str, measured: str, met: bool) -> bool:
        """Print one verdict line: `PASS goal: measured` or `FAIL ...`."""
        print(f"{'PASS' if met else 'FAIL'} {goal}: {measured}", flush=True)
        if not met:
            self.failed.append(goal)
        return met

    def exit_code(self) -> int:
        """0 when every goal was met, or always in quick mode (it shows the benchmark runs)."""
        if self.quick and self.failed:
            print(f"(quick mode: {len(self.failed)} goal(s) missed on a short run; exit 0)")
            return 0
        return 1 if self.failed else 0


PYTHON = sys.executable
"""The interpreter both sides of a whole-process comparison run on."""
