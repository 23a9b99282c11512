"""Headless engine throughput: complete resident-feedback sessions a second, in one process.

    python benchmarks/engine.py [--sessions 2000] [--concurrent 16] [--runs 3] [--quick]

The real engine runs the shipped `resident-feedback` flow from its answers file (choose,
consent, phone, text, review, an outbox submission, finish), `--concurrent` sessions at a time
on one event loop, as a fleet simulation would. Two sides, taking turns, GC paused on both:

- **kiosk storage**: the real `SqliteJournal` and `SqliteOutbox` on one SQLite database
  (WAL, synchronous=FULL) in a temporary folder; only the HTTP transport under the outbox is a
  fake that answers 201 at once, so every submission is still committed before it is "sent";
- **in memory**: a list for the journal and an outbox that keeps nothing (the floor: the
  engine's own cost).

Each run ends once the journal's writer has committed everything (its work is counted). What is
compared is the CPU time of the process (all its threads: the event loop, the journal's writer,
the outbox's threads), which a machine shared with other work disturbs far less than the time
on the clock; sessions per second on the clock are shown beside it (they also wait for the
disk's fsyncs, which concurrent sessions share through group commits).

Goal (PASS or FAIL): kiosk storage ≥ 500 complete sessions per CPU second.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from side_by_side import Goals, alternate  # noqa: E402

from kiosk.config import BackendConfig  # noqa: E402
from kiosk.flow.engine import Engine  # noqa: E402
from kiosk.flow.loader import DEFAULT_FLOWS_DIR, load_flows  # noqa: E402
from kiosk.flow.receipts import ReceiptLibrary  # noqa: E402
from kiosk.flow.scripted import Script, ScriptedDevices, ScriptedRenderer, load_script  # noqa: E402
from kiosk.flow.services import Submission  # noqa: E402
from kiosk.flow.session import Session  # noqa: E402
from kiosk.i18n import catalog  # noqa: E402
from kiosk.storage.database import Database  # noqa: E402
from kiosk.storage.journal import SqliteJournal  # noqa: E402
from kiosk.storage.outbox import SqliteOutbox  # noqa: E402

TARGET = 500.0
FLOW = "resident-feedback"


class _Reply:
    """A back office's 201 with a ticket number, as `http.client` hands the transport a reply."""

    status = 201
    content = b'{"ticket": "FB1"}'
    headers: ClassVar[dict[str, str]] = {"Content-Type": "application/json", "Content-Length": "17"}

    def __init__(self) -> None:
        self._unread = self.content

    def getheader(self, name: str, default: str = "") -> str:
        return self.headers.get(name, default)

    def read(self, size: int = -1) -> bytes:
        chunk, self._unread = self._unread, b""
        return chunk

    def close(self) -> None:
        return None


class _Transport:
    """Stands in for the HTTP transport under the outbox: every request answered at once."""

    def post(self, *args: Any, **kwargs: Any) -> _Reply:
        return _Reply()

    def request(self, *args: Any, **kwargs: Any) -> _Reply:
        return _Reply()

    def close(self) -> None:
        return None


class _ListJournal:
    def __init__(self) -> None:
        self.entries: list[tuple[Any, ...]] = []

    def record(self, *entry: Any) -> None:
        self.entries.append(entry)


class _NullOutbox:
    async def submit(
        self,
        backend: str,
        path: str,
        payload: Any,
        idempotency_key: str,
        reference_field: str | None = None,
    ) -> Submission:
        return Submission(reference="R1", status="delivered", reply={"ticket": "FB1"})


class _Clock:
    """The engine's clock: real time, never advanced by the script (nothing times out)."""

    def now(self) -> float:
        return time.time()

    def advance(self, seconds: float) -> None:
        return None

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def _engine(journal: Any, outbox: Any) -> Engine:
    library = load_flows([DEFAULT_FLOWS_DIR / f"{FLOW}.yaml"])
    return Engine(
        library,
        backends=None,  # type: ignore[arg-type]  # the flow asks no back office directly
        outbox=outbox,
        journal=journal,
        devices=ScriptedDevices({}),
        receipts=ReceiptLibrary(DEFAULT_FLOWS_DIR / "receipts"),
        texts=catalog(),
        clock=_Clock(),
        default_timeout=60,
    )


async def _sessions(engine: Engine, script: Script, count: int, concurrent: int) -> int:
    """Run `count` sessions, `concurrent` at a time; how many finished."""
    finished = 0
    clock = _Clock()

    async def one() -> None:
        nonlocal finished
        session = Session(clock, language="zh_CN")
        renderer = ScriptedRenderer(script, clock=clock, session=session)
        outcome = await engine.run(FLOW, session, renderer)
        finished += outcome.status == "finished"

    # blocking storage work goes to threads (`asyncio.to_thread`): as many as sessions at once,
    # as a fleet simulation would give its loop, so that their commits can be shared
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=concurrent))
    # a rolling window, as a fleet simulation keeps its kiosks busy: a new session starts as
    # soon as one ends (not batches that each wait for their slowest)
    slots = asyncio.Semaphore(concurrent)

    async def held() -> None:
        async with slots:
            await one()

    await asyncio.gather(*(held() for _ in range(count)))
    return finished


def main(argv: list[str] | None = None) -> int:
    """Time both sides; print sessions a second and the goal's verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--concurrent", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a short run: shows that it works")
    args = parser.parse_args(argv)
    if args.quick:
        args.sessions, args.runs = 64, 1
    goals = Goals(quick=args.quick)
    script = load_script(DEFAULT_FLOWS_DIR / f"{FLOW}.answers.yaml")
    with tempfile.TemporaryDirectory(prefix="kiosk-engine-bench-") as folder:
        db = Database.in_dir(Path(folder))
        journal = SqliteJournal(db, "bench-0001")
        outbox = SqliteOutbox(
            db,
            {},
            fallback=BackendConfig(base_url="http://127.0.0.1:9"),
            session=_Transport(),  # type: ignore[arg-type]
        )
        stored = _engine(journal, outbox)
        memory = _engine(_ListJournal(), _NullOutbox())
        finished: dict[str, int] = {}
        submitted = 0
        """Sessions run on the kiosk storage side so far: each made one submission."""
        clock: dict[str, list[float]] = {"kiosk storage": [], "in memory": []}

        def run(name: str, engine: Engine) -> float:
            nonlocal submitted
            cpu, wall = time.process_time(), time.perf_counter()
            finished[name] = asyncio.run(_sessions(engine, script, args.sessions, args.concurrent))
            submitted += args.sessions if engine is stored else 0
            journal.flush()  # what was recorded is on disk: the writer's work counts too
            clock[name].append(time.perf_counter() - wall)
            return time.process_time() - cpu

        try:
            samples = alternate(
                {
                    "kiosk storage": lambda: run("kiosk storage", stored),
                    "in memory": lambda: run("in memory", memory),
                },
                args.runs,
                reported=True,
            )
            journal.flush()
            entries = journal.count()
            counts = outbox.counts()
        finally:
            outbox.close()
            db.close()
    print(
        f"{args.sessions} {FLOW} sessions, {args.concurrent} at a time, "
        f"{args.runs} alternating runs; journal entries written: {entries}"
    )
    rates = {}
    for name, sample in samples.items():
        rates[name] = args.sessions / sample.median
        slowest = args.sessions / sample.p95
        on_clock = args.sessions / statistics.median(clock[name][-args.runs :])
        print(
            f"  {name:16} {rates[name]:6.0f} sessions per CPU second median, {slowest:6.0f} at "
            f"p95; {on_clock:5.0f}/s on the clock ({finished[name]} of {args.sessions} finished)"
        )
    print(
        f"  kiosk storage / in memory: {rates['in memory'] / rates['kiosk storage']:.2f}x the CPU"
    )
    print(
        f"  submissions: {counts['delivered']} delivered of {submitted} sessions with storage, "
        f"{counts['pending']} pending, {counts['dead']} refused"
    )
    all_done = all(count == args.sessions for count in finished.values())
    all_done = all_done and counts["delivered"] == submitted
    goals.check(
        f"headless engine ≥ {TARGET:.0f} complete sessions per CPU second (SQLite journal and "
        "outbox)",
        f"{rates['kiosk storage']:.0f} sessions/s, every session finished and its submission "
        f"delivered: {all_done}",
        rates["kiosk storage"] >= TARGET and all_done,
    )
    return goals.exit_code()


if __name__ == "__main__":
    sys.exit(main())
