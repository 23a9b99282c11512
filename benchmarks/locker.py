"""The locker on a simulated 9600-baud bus: a full door scan, open → acknowledged, last tap →
open command on the wire.

    python benchmarks/locker.py [--runs 20] [--baudrate 9600] [--quick]

A locker of 3 boards with 20 compartments each (60), per family. The simulator waits as long as
each frame takes on the wire (10 bits a byte), so each figure is also given as a ratio to the
wire time of the frames it exchanged (goal ≤ 1.5×):

- scan: `LockerService.scan()` reads every door (one query-all per board; 8A's 7-byte and
  Kerong's bitmap replies, WKLY's 20 state bytes);
- open: the locker's open of one compartment as a flow does it (intent written, the open
  command, the door seen open, `opened` written) and the bare driver's `open_lock`;
- tap → wire: the resident's last answer (collect them all, after the pickup code) to the open
  command arriving at the simulated board, through the real engine, flow, inventory and driver
  (goal < 100 ms).

Each goal is printed as a PASS or FAIL line (median); `--quick` (a few runs) only shows that
the benchmark works and exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from side_by_side import Goals

from kiosk.app import KioskServices
from kiosk.clock import SystemClock
from kiosk.config import load_config
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind
from kiosk.flow.session import Session
from kiosk.simulation import ScriptedPresenter
from peripherals.lock_board import protocol_8a as p8a
from peripherals.lock_board import protocol_kerong as pk
from peripherals.lock_board import protocol_wkly as pw
from peripherals.lock_board.simulated import SimulatedLockBoard

FAMILIES = {"8a": [1, 2, 3], "wkly": [0, 1, 2], "kerong": [0, 1, 2]}
PER_BOARD = 20


def config_text(family: str, baudrate: int) -> str:
    """A locker of 3 boards x 20 compartments, one cabinet per board (4 columns x 5 rows)."""
    boards = FAMILIES[family]
    lines = [
        "simulate = true",
        'data_dir = "data"',
        "[terminal]",
        'mode = "locker"',
        "[devices.lock_board]",
        'driver = "simulated"',
        f'family = "{family}"',
        f"boards = {boards}",
        "locks_per_board = 24",
        f"baudrate = {baudrate}",
        "wire_time = true",
        "coil_time = 0.0",
        "[devices.scanner]",
        'driver = "simulated"',
    ]
    for index, address in enumerate(boards):
        lines += [f"[locker.boards.b{index}]", f'family = "{family}"', f"address = {address}"]
    for index in range(len(boards)):
        cabinet = "ABC"[index]
        lines += ["[[locker.cabinets]]", f'id = "{cabinet}"', "compartments = ["]
        for number in range(1, PER_BOARD + 1):
            column, row = divmod(number - 1, 5)
            lines.append(
                f'  {{id = "{cabinet}-{number:02d}", board = "b{index}", lock = {number}, '
                f'size = "M", column = {column + 1}, row = {row + 1}}},'
            )
        lines.append("]")
    return "\n".join(lines) + "\n"


class TapRenderer:
    """Answers at once: the pickup code, then "collect them all" (the last tap), noting when
    each was given; waits at the doors."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.tapped = 0.0

    async def ask(self, prompt: Prompt) -> Answer | Event:
        if prompt.kind is PromptKind.DEVICE_WAIT and prompt.step != "code":
            await asyncio.Event().wait()
        value = {"code": self.code, "refuse": "collect"}.get(prompt.step, "yes")
        self.tapped = time.perf_counter()
        return Answer(value, source="keypad")

    async def show(self, prompt: Prompt) -> None:
        return None


def is_open_command(family: str, frame: bytes) -> bool:
    """Whether a frame the board received is an open command."""
    if family == "8a":
        return frame[0] == p8a.OPEN
    if family == "wkly":
        return frame[6] == pw.OPEN_ONE
    return frame[3] == pk.OPEN


def measure(family: str, runs: int, baudrate: int) -> dict[str, Any]:
    """Scan, open and tap→wire timings, with the wire time of the frames each exchanged."""
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as folder:
        path = Path(folder) / "kiosk.toml"
        path.write_text(config_text(family, baudrate), encoding="utf-8")
        config = load_config(path)
        presenter = ScriptedPresenter({"lock_board": {"close_after_reads": 2}, "scanner": True})
        services = KioskServices(
            config, engine_clock=SystemClock(), presenter=presenter, outbox_worker=False
        )
        with services:
            locker = services.locker
            assert locker is not None
            device = services.hub.by_kind("lock_board")
            assert isinstance(device, SimulatedLockBoard)
            sim = device.simulator
            result: dict[str, Any] = {"scan": [], "open": [], "driver": [], "tap": []}

            def wire_since(before: int) -> float:
                return sim.wire_seconds(sim.rx_bytes + sim.reply_bytes - before)

            async def scans() -> None:
                for run in range(runs + 1):  # the first warms up
                    before = sim.rx_bytes + sim.reply_bytes
                    started = time.perf_counter()
                    scan = await locker.scan()
                    if run:
                        result["scan"].append(time.perf_counter() - started)
                    result["scan_wire"] = wire_since(before)
                    assert len(scan.doors) == 60 and not scan.unreadable_boards

            asyncio.run(scans())
            compartments = list(locker.layout)
            for run in range(runs + 1):  # the first warms up
                compartment = compartments[run % len(compartments)]
                code = f"{100000 + run:06d}"
                parcel = locker.inventory.seed(
                    compartment.id, waybill=f"SF{run:010d}", company="SF",
                    phone="13800138000", code=code, deposited_at=time.time(), storage_hours=24,
                )  # fmt: skip
                renderer = TapRenderer(code)
                frames_before = len(sim.frames)
                outcome = asyncio.run(
                    services.engine.run("parcel-pickup", Session(SystemClock()), renderer)
                )
                assert outcome.status == "finished", outcome
                opened_at = next(
                    t
                    for f, t in zip(
                        sim.frames[frames_before:], sim.frame_times[frames_before:], strict=True
                    )
                    if is_open_command(family, f)
                )
                if run:
                    result["tap"].append(opened_at - renderer.tapped)
                sim.close_door(compartment.address, compartment.lock)
                del parcel
            sim.close_after_reads = None

            async def opens() -> None:
                for run in range(runs):
                    compartment = compartments[(run + runs + 1) % len(compartments)]
                    action = locker.inventory.begin_deposit(
                        compartment.id, waybill="SF1", company="SF", phone="13800138000",
                        storage_hours=24, courier="C1",
                    )  # fmt: skip
                    before = sim.rx_bytes + sim.reply_bytes
                    started = time.perf_counter()
                    await locker._open(action)
                    result["open"].append(time.perf_counter() - started)
                    result["open_wire"] = wire_since(before)
                    sim.close_door(compartment.address, compartment.lock)
                    locker.inventory.finish_deposit(action)
                    await asyncio.to_thread(
                        device.door_state, compartment.address, compartment.lock
                    )

            asyncio.run(opens())
            for run in range(runs):
                compartment = compartments[run % len(compartments)]
                before = sim.rx_bytes + sim.reply_bytes
                started = time.perf_counter()
                device.open_lock(compartment.address, compartment.lock)
                result["driver"].append(time.perf_counter() - started)
                result["driver_wire"] = wire_since(before)
                sim.close_door(compartment.address, compartment.lock)
                device.door_state(compartment.address, compartment.lock)
            return result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one block per family."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--baudrate", type=int, default=9600)
    parser.add_argument("--quick", action="store_true", help="a short run: shows that it works")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = 3
    goals = Goals(quick=args.quick)
    verdicts: list[tuple[str, str, float, float]] = []
    print(f"locker: 3 boards x {PER_BOARD} compartments, {args.baudrate} baud, wire time modelled")
    print(f"{'family':7} {'what':22} {'median ms':>10} {'p95 ms':>9} {'wire ms':>9} {'ratio':>7}")
    for family in FAMILIES:
        found = measure(family, args.runs, args.baudrate)
        rows = (
            ("door scan (60)", found["scan"], found["scan_wire"]),
            ("open -> ack (locker)", found["open"], found["open_wire"]),
            ("open -> ack (driver)", found["driver"], found["driver_wire"]),
            ("last tap -> on wire", found["tap"], 0.0),
        )
        for what, times, wire in rows:
            median = statistics.median(times)
            p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
            ratio = f"{median / wire:7.2f}" if wire else "      -"
            print(
                f"{family:7} {what:22} {median * 1e3:10.2f} {p95 * 1e3:9.2f} "
                f"{wire * 1e3:9.2f} {ratio}"
            )
            verdicts.append((family, what, median, wire))
    for family, what, median, wire in verdicts:
        if wire:
            goals.check(
                f"{family} {what} ≤ 1.5x the wire time",
                f"{median / wire:.2f}x",
                median / wire <= 1.5,
            )
        else:
            goals.check(f"{family} {what} < 100 ms", f"median {median * 1e3:.1f} ms", median < 0.1)
    return goals.exit_code()


if __name__ == "__main__":
    sys.exit(main())
