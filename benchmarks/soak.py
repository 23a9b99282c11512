"""Soak: one kiosk process serves many scripted sessions; its memory, threads, files must not grow.

    python benchmarks/soak.py [--sessions 1000] [--checkpoints 10]

The whole session layer, headless: the real `KioskServices` on its embedded default (simulated
devices, the demo back office, SQLite outbox and journal in a temporary folder), the real
`KioskRuntime` (session loop, core), and a `ScriptedResident` who uses every shipped service in
turn from its answers file, through the same inputs as taps and keys. At each checkpoint it
records the resident set size (VmRSS), live threads (not counting the event loop's executor,
a pool bounded by Python that starts its threads as blocking calls first overlap, nor the
database's tidy timer, one at a time and gone within a second of an erasure; the journal's
writer is drained first, as it comes and goes with the entries), open file descriptors and the
temporary folders present, and prints them with the growth from the first checkpoint after
warm-up.

Goals (PASS or FAIL): after warm-up, no thread, open file or temporary folder more, resident
memory grown by at most 10 MB, every session finished. `--quick`: 20 sessions, to show that it
runs.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from side_by_side import Goals  # noqa: E402

RSS_GROWTH_MB = 10.0


@dataclass
class Checkpoint:
    """What the process held after `sessions` sessions."""

    sessions: int
    rss_mb: float
    threads: int
    open_files: int
    temp_entries: int
    seconds: float


@dataclass
class SoakReport:
    """The checkpoints of one soak and how its sessions ended."""

    checkpoints: list[Checkpoint] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def growth(self, warm_up: int = 1) -> Checkpoint:
        """The difference between the last checkpoint and the one after warm-up."""
        first, last = self.checkpoints[warm_up], self.checkpoints[-1]
        return Checkpoint(
            last.sessions - first.sessions,
            round(last.rss_mb - first.rss_mb, 1),
            last.threads - first.threads,
            last.open_files - first.open_files,
            last.temp_entries - first.temp_entries,
            round(last.seconds - first.seconds, 1),
        )


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _open_files(settle: float = 1.0) -> int:
    """Open file descriptors once two readings 20 ms apart agree (within `settle` seconds): the
    demo back office closes a reply's connection on its own thread a moment after the reply, so
    the count right after a submission may still hold that socket."""
    deadline = time.monotonic() + settle
    count = len(os.listdir("/proc/self/fd"))
    while time.monotonic() < deadline:
        time.sleep(0.02)
        again = len(os.listdir("/proc/self/fd"))
        if again == count:
            break
        count = again
    return count


_TRANSIENT = ("asyncio_", "database-tidy")
"""Threads not counted: the event loop's executor pool (bounded by Python) and the database's
tidy timer (one at a time, started after an erasure and gone within `erase_delay`)."""


def _checkpoint(sessions: int, started: float) -> Checkpoint:
    gc.collect()
    return Checkpoint(
        sessions=sessions,
        rss_mb=round(_rss_mb(), 1),
        threads=sum(not t.name.startswith(_TRANSIENT) for t in threading.enumerate()),
        open_files=_open_files(),
        temp_entries=len(os.listdir(tempfile.gettempdir())),
        seconds=round(time.perf_counter() - started, 1),
    )


async def soak(sessions: int, checkpoints: int, data_dir: Path) -> SoakReport:
    """Serve `sessions` scripted sessions; measure at `checkpoints` evenly spaced points."""
    from kiosk.app import KioskServices
    from kiosk.clock import SystemClock
    from kiosk.config import load_config
    from kiosk.flow.loader import DEFAULT_FLOWS_DIR
    from kiosk.flow.scripted import load_script
    from kiosk.session.renderers import SessionInputs
    from kiosk.session.runtime import KioskRuntime
    from kiosk.session.scripted import ScriptedResident, Visit
    from kiosk.session.state import AttractInfo
    from kiosk.simulation import ScriptedPresenter

    visits = [
        Visit(flow, load_script(DEFAULT_FLOWS_DIR / f"{flow}.answers.yaml"))
        for flow in ("resident-feedback", "si-certificate")
    ]
    presenter = ScriptedPresenter({})
    report = SoakReport()
    step = max(sessions // checkpoints, 1)
    started = time.perf_counter()
    residents: list[ScriptedResident] = []
    kiosk: list[KioskServices] = []

    def on_visit(visit: Visit) -> None:
        presenter.devices = dict(visit.script.devices)
        resident = residents[0]
        done = resident.started - 1
        if done % step == 0:
            kiosk[0].journal.drain()  # its writer thread comes and goes with the entries
            report.checkpoints.append(_checkpoint(done, started))

    def resident_for(inputs: SessionInputs, _services: KioskServices) -> ScriptedResident:
        resident = ScriptedResident(inputs, visits, sessions, on_visit=on_visit)
        residents.append(resident)
        return resident

    config = load_config(None, {})
    with KioskServices(config, simulate=True, data_dir=data_dir, presenter=presenter) as services:
        kiosk.append(services)
        runtime = KioskRuntime(
            services,
            clock=SystemClock(),
            attract=AttractInfo({"zh_CN": "压力测试", "en": "Soak"}),
            renderers=(resident_for,),
            result_hold=0.0,
        )
        loop_task = asyncio.ensure_future(runtime.run())
        resident = residents[0]
        done = asyncio.ensure_future(resident.done.wait())
        await asyncio.wait({loop_task, done}, return_when=asyncio.FIRST_COMPLETED)
        if loop_task.done():
            loop_task.result()  # the session loop stopped: its error is the report
        loop_task.cancel()
        await asyncio.gather(loop_task, return_exceptions=True)
        await resident.stopped()
        report.outcomes = {
            f"{flow}:{status}": n for (flow, status), n in runtime.loop.outcomes.items()
        }
        report.errors = list(resident.errors)
        # the last checkpoint with the kiosk still up: what a long-running kiosk holds
        services.journal.drain()
        report.checkpoints.append(_checkpoint(sessions, started))
    return report


def main(argv: list[str] | None = None) -> int:
    """Run the soak and print its checkpoints, growth and each goal's verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--checkpoints", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--quick", action="store_true", help="a short run: shows that it works")
    args = parser.parse_args(argv)
    if args.quick:
        args.sessions, args.checkpoints = 20, 2
    goals = Goals(quick=args.quick)
    with tempfile.TemporaryDirectory(prefix="kiosk-soak-") as folder:
        report = asyncio.run(soak(args.sessions, args.checkpoints, Path(folder)))
    if args.json:
        print(json.dumps(asdict(report)))
        return 0
    print(f"{args.sessions} scripted sessions in one process; outcomes {report.outcomes}")
    print("  sessions   RSS MB  threads  open files  temp entries  seconds")
    for c in report.checkpoints:
        print(
            f"  {c.sessions:8d}  {c.rss_mb:7.1f}  {c.threads:7d}  {c.open_files:10d}"
            f"  {c.temp_entries:12d}  {c.seconds:7.1f}"
        )
    g = report.growth()
    print(
        f"growth after warm-up ({g.sessions} sessions): RSS {g.rss_mb:+.1f} MB, threads "
        f"{g.threads:+d}, open files {g.open_files:+d}, temp entries {g.temp_entries:+d}"
    )
    for error in report.errors[:5]:
        print(f"script error: {error}")
    finished = sum(n for key, n in report.outcomes.items() if key.endswith(":finished"))
    goals.check(
        "no growth after warm-up (threads, open files, temporary folders)",
        f"threads {g.threads:+d}, open files {g.open_files:+d}, temp entries {g.temp_entries:+d}",
        g.threads <= 0 and g.open_files <= 0 and g.temp_entries <= 0,
    )
    goals.check(
        f"resident memory grows ≤ {RSS_GROWTH_MB:.0f} MB after warm-up",
        f"{g.rss_mb:+.1f} MB over {g.sessions} sessions",
        g.rss_mb <= RSS_GROWTH_MB,
    )
    goals.check(
        "every session finished",
        f"{finished} of {args.sessions}, {len(report.errors)} script errors",
        finished == args.sessions and not report.errors,
    )
    return goals.exit_code()


if __name__ == "__main__":
    sys.exit(main())
