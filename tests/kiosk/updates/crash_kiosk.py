"""A kiosk process that polls once and activates what it finds, as an idle kiosk does, and kills
itself with SIGKILL when the update reaches step K (0: never). Prints the steps it passed.

    python -m tests.kiosk.updates.crash_kiosk KIOSK_TOML K
"""

from __future__ import annotations

import json
import os
import signal
import sys
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
