"""A kiosk process that polls once and activates what it finds, as an idle kiosk does, and kills
itself with SIGKILL when the update reaches step K (0: never). Prints the steps it passed.

    python -m tests.kiosk.updates.crash_kiosk KIOSK_TOML K
    python -m tests.kiosk.updates.crash_kiosk KIOSK_TOML --serve

With `--serve` it reads one K a line and, for each, forks such a kiosk process (the imports made
once, not once a process) and answers one JSON line: the child's exit code (-9 when it killed
itself) and what it printed.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import traceback
from pathlib import Path

from kiosk.config import load_config
from kiosk.updates.agent import UpdateAgent
from kiosk.updates.fetcher import ConditionalFetcher
from tests.support.updates import FakeHost, ListJournal


def main(config_path: str, kill_at: int) -> int:
    steps: list[str] = []

    def step(name: str) -> None:
        steps.append(name)
        if len(steps) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    # small chunks: the process is also killed in the middle of downloading the bundle
    fetcher = ConditionalFetcher(
        chunk_size=2048, chunk_seen=lambda url, n: step(f"downloading {n}")
    )
    agent = UpdateAgent(load_config(Path(config_path), environ={}), step=step, fetcher=fetcher)
    try:
        agent.recover()
        status = agent.poll()
        agent.settle(status, FakeHost(), ListJournal(), idle=True)
    finally:
        agent.close()
    print(json.dumps({"steps": steps, "state": agent.status.state.value}))
    return 0


def serve(config_path: str) -> int:
    """For each K read from stdin, a forked kiosk process killed at step K; its outcome."""
    for line in sys.stdin:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the kiosk process: its stdout goes to the pipe
            os.close(read_end)
            os.dup2(write_end, sys.stdout.fileno())
            code = 1
            try:
                code = main(config_path, int(line))
                sys.stdout.flush()
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stderr.flush()
                os._exit(code)
        os.close(write_end)
        with os.fdopen(read_end, encoding="utf-8") as printed:
            out = printed.read()
        _, status = os.waitpid(pid, 0)
        answer = {"returncode": os.waitstatus_to_exitcode(status), "stdout": out}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[2] == "--serve":
        sys.exit(serve(sys.argv[1]))
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
