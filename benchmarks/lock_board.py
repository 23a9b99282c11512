"""Time from `open_lock` to an acknowledged open door on a simulated 9600-baud bus, per family.

    python benchmarks/lock_board.py [--runs 50] [--baudrate 9600]

The simulator waits as long as each frame takes on the wire (10 bits a byte), so the floor is
the wire time of the frames the open needs (8A: command + ack; WKLY: command + ack;
Kerong: command + ack + a status query, since its ack does not say how the door is). The
ratio shows the driver's own overhead over that floor. Coil spacing is off (coil_time 0) so
consecutive opens measure the protocol, not the deliberate pause between coils.

Goals (PASS or FAIL, per family): median ≤ 1.25x and p95 ≤ 1.5x the wire time. `--quick`: a
few opens, to show that it runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from side_by_side import Goals, Sample

from peripherals import registry
from peripherals.lock_board.base import DoorState
from peripherals.lock_board.simulated import SimulatedLockBoard

FAMILIES = ("8a", "wkly", "kerong")
MEDIAN_TARGET = 1.25
P95_TARGET = 1.5


def measure(family: str, runs: int, baudrate: int) -> tuple[list[float], float]:
    """Seconds per open, and the wire time of the frames one open exchanged."""
    device = registry.create(
        "lock_board",
        "simulated",
        {"family": family, "baudrate": baudrate, "wire_time": True, "coil_time": 0.0},
    )
    assert isinstance(device, SimulatedLockBoard)
    times: list[float] = []
    wire = 0.0
    with device:
        sim = device.simulator
        board = device.boards[0]
        for run in range(runs):
            lock = run % device.locks_per_board + 1
            before = sim.rx_bytes + sim.reply_bytes
            started = time.perf_counter()
            state = device.open_lock(board, lock)
            times.append(time.perf_counter() - started)
            if state is not DoorState.OPEN:
                raise SystemExit(f"{family}: lock {lock} did not open")
            wire = sim.wire_seconds(sim.rx_bytes + sim.reply_bytes - before)
            sim.close_door(board, lock)
            device.door_state(board, lock)  # let a pushed close (WKLY) clear the wire first
    return times, wire


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per family, then each goal's verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--baudrate", type=int, default=9600)
    parser.add_argument("--quick", action="store_true", help="a short run: shows that it works")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = 5
    goals = Goals(quick=args.quick)
    header = f"{args.runs} runs, {args.baudrate} baud, wire time modelled"
    print(f"open_lock -> acknowledged open, {header}")
    columns = ("median ms", "p95 ms", "wire ms", "median/wire", "p95/wire")
    print(f"{'family':8} " + " ".join(f"{c:>11}" for c in columns))
    verdicts = []
    for family in FAMILIES:
        times, wire = measure(family, args.runs, args.baudrate)
        sample = Sample(family, tuple(times))
        median, p95 = sample.median, sample.p95
        print(
            f"{family:8} {median * 1e3:11.2f} {p95 * 1e3:11.2f} {wire * 1e3:11.2f} "
            f"{median / wire:11.2f} {p95 / wire:11.2f}"
        )
        verdicts.append((family, median / wire, p95 / wire))
    for family, median_ratio, p95_ratio in verdicts:
        goals.check(
            f"{family}: median ≤ {MEDIAN_TARGET}x and p95 ≤ {P95_TARGET}x the wire time",
            f"{median_ratio:.2f}x, {p95_ratio:.2f}x",
            median_ratio <= MEDIAN_TARGET and p95_ratio <= P95_TARGET,
        )
    return goals.exit_code()


if __name__ == "__main__":
    sys.exit(main())
