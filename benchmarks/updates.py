"""Updates over TUF against a real nginx on loopback: the cost of a poll that finds nothing new,
and the time from publishing a bundle to its activation on an idle kiosk.

Run: `python benchmarks/updates.py [--polls N]`. The baseline is python-tuf's own fetcher, which
asks for `timestamp.json` unconditionally at each poll. Bytes are as nginx logged them (request
and response, headers included).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tuf.ngclient import Updater

from kiosk.bundle.build import build_bundle
from kiosk.config import load_config
from kiosk.updates.agent import UpdateAgent
from kiosk.updates.keys import load_signer
from kiosk.updates.repository import Repository
from tests.support.nginx import access_log, nginx_serving
from tests.support.updates import FakeHost, ListJournal

CONTENT = Path(__file__).resolve().parents[1]


def _release(repo: Repository, bundle: Path) -> None:
    assert repo.keys is not None
    repo.publish(bundle, [], load_signer(repo.keys / "targets-1.key"))
    repo.sign_staged(load_signer(repo.keys / "targets-2.key"))
    repo.release()


def _traffic(prefix: Path, since: int) -> tuple[int, int, int, list[str]]:
    lines = access_log(prefix)[since:]
    sent = sum(int(line.split()[3]) for line in lines)
    received = sum(int(line.split()[4]) for line in lines)
    return len(lines), sent, received, [" ".join(line.split()[:3]) for line in lines]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--polls", type=int, default=20)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as temp:
        root = Path(temp)
        repo = Repository(root / "repo", root / "keys")
        repo.init()
        for version in (1, 2):
            (root / f"b{version}.tar.gz").write_bytes(build_bundle(CONTENT, version).archive)
        _release(repo, root / "b1.tar.gz")
        with nginx_serving(repo.root, root / "nginx") as url:
            toml = root / "kiosk.toml"
            toml.write_text(
                f'simulate = true\ndata_dir = "{root / "data"}"\n[updates]\n'
                f'repository = "{url}"\ntrusted_root = "{repo.metadata_dir / "1.root.json"}"\n'
            )
            agent = UpdateAgent(load_config(toml, environ={}))
            agent.recover()
            agent.settle(agent.poll(), FakeHost(), ListJournal(), idle=True)
            assert agent.store.current() == 1

            # a poll that finds nothing new, ours (conditional) and python-tuf's stock fetcher
            times, start = [], len(access_log(root / "nginx"))
            for _ in range(args.polls):
                began = time.perf_counter()
                assert agent.poll().state.value == "activated"
                times.append(time.perf_counter() - began)
            count, sent, received, seen = _traffic(root / "nginx", start)
            base_dir = root / "baseline"
            shutil.copytree(agent.client.metadata_dir, base_dir)
            base_times, start = [], len(access_log(root / "nginx"))
            for _ in range(args.polls):
                began = time.perf_counter()
                Updater(str(base_dir), url + "metadata/", bootstrap=None).refresh()
                base_times.append(time.perf_counter() - began)
            b_count, b_sent, b_received, _seen = _traffic(root / "nginx", start)

            # publish to activation on an idle kiosk
            began = time.perf_counter()
            _release(repo, root / "b2.tar.gz")
            published = time.perf_counter()
            agent.settle(agent.poll(), FakeHost(), ListJournal(), idle=True)
            activated = time.perf_counter()
            assert agent.store.current() == 2
            agent.close()

    polls = args.polls
    ours_ms = statistics.median(times) * 1000
    base_ms = statistics.median(base_times) * 1000
    print(f"poll with nothing new ({polls} polls, median), ours vs python-tuf's fetcher:")
    print(f"  requests per poll   {count / polls:6.1f}  vs {b_count / polls:6.1f}")
    print(f"    ({'; '.join(seen[: count // polls])})")
    print(f"  bytes sent          {sent / polls:6.0f}  vs {b_sent / polls:6.0f}")
    print(f"  bytes received      {received / polls:6.0f}  vs {b_received / polls:6.0f}"
          f"  (ratio {received / max(b_received, 1):.2f})")  # fmt: skip
    ratio = ours_ms / base_ms
    print(f"  time                {ours_ms:6.1f} ms vs {base_ms:6.1f} ms (ratio {ratio:.2f})")
    print("publish to activation on an idle kiosk:")
    print(f"  publish (sign twice, release)        {(published - began) * 1000:7.1f} ms")
    print(f"  poll, download, verify, lint, switch {(activated - published) * 1000:7.1f} ms")
    print(
        "  plus the wait for the next poll: at most poll_interval x (1 + jitter) "
        "(default 900 s x 1.1)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
