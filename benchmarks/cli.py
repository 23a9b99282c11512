"""Whole-process time of `kiosk flows run` and `kiosk flows check` against importing the CLI.

    python benchmarks/cli.py [--runs 9] [--quick]

Each side is a fresh process spawned the same way (same interpreter, environment and folder),
the sides taking turns run after run; one unmeasured round first warms the page cache for all,
and the kiosk's modules are compiled to bytecode first, as an installed kiosk has them. Every
process gets the benchmark's own cache folder (`XDG_CACHE_HOME`), filled by that first round as
an installed kiosk's is at its first start (that first run is printed too, for scale): other
work on the machine cannot empty it. What is
compared is each process's CPU time (user + system, all its threads), which a machine shared
with other work disturbs far less than the time on the clock (shown beside it).
The baseline, `python -c "import kiosk.cli"`, is the floor of any `kiosk` command: a command
that imports only what it needs stays within a small multiple of it.

Goal (PASS or FAIL): each command's median CPU time ≤ 5x the baseline's.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from side_by_side import (  # noqa: E402
    PYTHON,
    Goals,
    alternate,
    child_cpu,
    compiled,
    process_time,
    ratio,
)

TARGET = 5.0
FLOWS = ROOT / "flows"
COMMANDS: dict[str, list[str]] = {
    "python -c 'import kiosk.cli'": [PYTHON, "-c", "import kiosk.cli"],
    "kiosk flows check": [PYTHON, "-m", "kiosk", "flows", "check", str(FLOWS)],
    "kiosk flows run resident-feedback": [
        PYTHON,
        "-m",
        "kiosk",
        "flows",
        "run",
        str(FLOWS / "resident-feedback.yaml"),
        "--answers",
        str(FLOWS / "resident-feedback.answers.yaml"),
    ],
    "kiosk flows run si-certificate": [
        PYTHON,
        "-m",
        "kiosk",
        "flows",
        "run",
        "si-certificate",
        "--answers",
        str(FLOWS / "si-certificate.answers.yaml"),
    ],
}
BASELINE = "python -c 'import kiosk.cli'"


def main(argv: list[str] | None = None) -> int:
    """Time every command, print medians, p95 and ratios, and each goal's verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs of each command")
    parser.add_argument("--quick", action="store_true", help="a short run: shows that it works")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else args.runs
    goals = Goals(quick=args.quick)
    if not args.quick:  # a quick run only shows that the benchmark works
        compiled(ROOT / "kiosk", ROOT / "peripherals")
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-cache-") as cache:
        return _measure(runs, goals, {**os.environ, "XDG_CACHE_HOME": cache})


def _measure(runs: int, goals: Goals, env: dict[str, str]) -> int:
    cpu = {
        name: functools.partial(child_cpu, argv, cwd=str(ROOT), env=env)
        for name, argv in COMMANDS.items()
    }
    first = {name: measure() for name, measure in cpu.items()}  # nothing kept yet
    samples = alternate(cpu, runs, reported=True)
    print(f"whole process, CPU time (user + system), {runs} alternating runs each:")
    for sample in samples.values():
        print(sample.line())
    wall = {
        name: functools.partial(process_time, argv, cwd=str(ROOT), env=env)
        for name, argv in COMMANDS.items()
    }
    clock = {} if goals.quick else alternate(wall, max(1, runs // 3), warmup=0)
    if clock:
        print("for scale, time on the clock (a shared machine stretches it):")
    for sample in clock.values():
        print(sample.line())
    print("for scale, each command's first run, in an empty cache folder (no goal):")
    for name, seconds in first.items():
        print(f"  {name:<34} {seconds * 1000:9.2f} ms CPU ({seconds / first[BASELINE]:.1f}x)")
    base = samples[BASELINE]
    for name, sample in samples.items():
        if name == BASELINE:
            continue
        times = ratio(sample, base)
        goals.check(
            f"{name} ≤ {TARGET:.0f}x `import kiosk.cli` (CPU time)",
            f"{times:.1f}x ({sample.median:.3f} s vs {base.median:.3f} s CPU)",
            times <= TARGET,
        )
    return goals.exit_code()


if __name__ == "__main__":
    sys.exit(main())
