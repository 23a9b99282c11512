"""Updates over TUF against a real nginx on loopback: the cost of a poll that finds nothing new,
and the time from publishing a bundle to its activation on an idle kiosk.

Run: `python benchmarks/updates.py [--polls N] [--quick]`. The baseline is python-tuf's own
fetcher, which asks for `timestamp.json` unconditionally at each poll. The two poll in turns
(GC paused on both); bytes are as nginx logged them (request and response, headers included).

Goals (PASS or FAIL): a poll with nothing new is one conditional request for `timestamp.json`
answered 304 (issue 11), receives fewer bytes than python-tuf's and takes at most 1.25x its time
(median); publish to activation on an idle kiosk (without the wait for the next poll) < 10 s.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from side_by_side import Goals, Sample, paused
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


ACTIVATION_TARGET = 10.0


def _traffic(lines: list[str]) -> tuple[int, int, int, list[str]]:
    sent = sum(int(line.split()[3]) for line in lines)
    received = sum(int(line.split()[4]) for line in lines)
    return len(lines), sent, received, [" ".join(line.split()[:3]) for line in lines]


def main(argv: list[str] | None = None) -> int:
    """Measure both pollers in turns and publish to activation; print each goal's verdict."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--polls", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="a short run: shows that it works")
    args = parser.parse_args(argv)
    if args.quick:
        args.polls = 3
    goals = Goals(quick=args.quick)
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

            # a poll that finds nothing new, ours (conditional) and python-tuf's stock fetcher,
            # taking turns
            base_dir = root / "baseline"
            shutil.copytree(agent.client.metadata_dir, base_dir)
            times, base_times = [], []
            ours_log, base_log = [], []
            traffic = agent.client.fetcher.traffic
            asked, unchanged = traffic.requests, traffic.not_modified
            log_dir = root / "nginx"
            for _ in range(args.polls):
                start = len(access_log(log_dir))
                with paused():
                    began = time.perf_counter()
                    assert agent.poll().state.value == "activated"
                    times.append(time.perf_counter() - began)
                middle = access_log(log_dir)
                ours_log += middle[start:]
                with paused():
                    began = time.perf_counter()
                    Updater(str(base_dir), url + "metadata/", bootstrap=None).refresh()
                    base_times.append(time.perf_counter() - began)
                base_log += access_log(log_dir)[len(middle) :]
            ours_requests = traffic.requests - asked  # counted by the kiosk: nginx logs late
            ours_unchanged = traffic.not_modified - unchanged
            _count, sent, received, _seen = _traffic(ours_log)
            b_count, b_sent, b_received, b_seen = _traffic(base_log)

            # publish to activation on an idle kiosk
            began = time.perf_counter()
            _release(repo, root / "b2.tar.gz")
            published = time.perf_counter()
            agent.settle(agent.poll(), FakeHost(), ListJournal(), idle=True)
            activated = time.perf_counter()
            assert agent.store.current() == 2
            agent.close()

    polls = args.polls
    ours, theirs = Sample("ours", tuple(times)), Sample("python-tuf", tuple(base_times))
    ours_ms, base_ms = ours.median * 1000, theirs.median * 1000
    print(f"poll with nothing new ({polls} polls each, in turns), ours vs python-tuf's fetcher:")
    print(f"  requests per poll   {ours_requests / polls:6.1f}  vs {b_count / polls:6.1f}")
    print(f"    ours: {ours_unchanged} of {ours_requests} answered 304; python-tuf's: "
          f"{'; '.join(b_seen[: b_count // polls])}")  # fmt: skip
    print(f"  bytes sent          {sent / polls:6.0f}  vs {b_sent / polls:6.0f}")
    print(f"  bytes received      {received / polls:6.0f}  vs {b_received / polls:6.0f}"
          f"  (ratio {received / max(b_received, 1):.2f})")  # fmt: skip
    ratio = ours_ms / base_ms
    print(
        f"  time median         {ours_ms:6.1f} ms vs {base_ms:6.1f} ms (ratio {ratio:.2f}); "
        f"p95 {ours.p95 * 1000:.1f} ms vs {theirs.p95 * 1000:.1f} ms"
    )
    activation = activated - published
    print("publish to activation on an idle kiosk:")
    print(f"  publish (sign twice, release)        {(published - began) * 1000:7.1f} ms")
    print(f"  poll, download, verify, lint, switch {activation * 1000:7.1f} ms")
    print(
        "  plus the wait for the next poll: at most poll_interval x (1 + jitter) "
        "(default 900 s x 1.1)"
    )
    goals.check(
        "a poll with nothing new is one small conditional request (304)",
        f"{ours_requests / polls:.1f} requests a poll, {ours_unchanged} of {ours_requests} 304",
        ours_requests == polls == ours_unchanged,
    )
    goals.check(
        "a poll with nothing new receives fewer bytes than python-tuf's",
        f"{received / polls:.0f} vs {b_received / polls:.0f} bytes",
        received < b_received,
    )
    goals.check(
        "a poll with nothing new takes ≤ 1.25x python-tuf's time (median)",
        f"{ours_ms:.1f} ms vs {base_ms:.1f} ms",
        ours_ms <= 1.25 * base_ms,
    )
    goals.check(
        f"publish to activation on an idle kiosk < {ACTIVATION_TARGET:.0f} s (after the poll)",
        f"{activation:.2f} s",
        activation < ACTIVATION_TARGET,
    )
    return goals.exit_code()


if __name__ == "__main__":
    sys.exit(main())
