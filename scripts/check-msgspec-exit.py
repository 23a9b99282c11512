"""Does a process that read the configuration exit cleanly, every time? (msgspec issue #717)

    python scripts/check-msgspec-exit.py [--runs 200]

msgspec 0.22 can crash the interpreter at exit when the cyclic garbage collector frees a struct
class together with its type information (`kiosk/flow/schema.py` keeps the flow structs alive for
that reason). The configuration (`kiosk/config.py`) is msgspec structs too. This spawns many
small processes that load `kiosk.example.toml` and exit as the CLI does (`gc.freeze()` first) or
plainly, and whole `kiosk flows run` processes (the demo configuration, flows, a session), and
counts the ones that did not exit with 0. Not part of the test suite: a crash that
comes once in a few hundred exits needs hundreds of processes to be seen.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_CACHE = tempfile.mkdtemp(prefix="kiosk-msgspec-exit-")

CHILDREN = {
    "load, gc.freeze(), exit (as kiosk.cli.console)": (
        "import gc, sys; from pathlib import Path; from kiosk.config import load_config; "
        "config = load_config(Path(sys.argv[1])); gc.freeze(); sys.exit(0)"
    ),
    "load, exit": (
        "import sys; from pathlib import Path; from kiosk.config import load_config; "
        "config = load_config(Path(sys.argv[1]))"
    ),
    "load, drop, collect, exit": (
        "import gc, sys; from pathlib import Path; from kiosk.config import load_config; "
        "config = load_config(Path(sys.argv[1])); del config; gc.collect()"
    ),
    "kiosk flows run resident-feedback (the configuration, flows, a session)": (
        "import sys; from kiosk.cli import console; sys.argv = ['kiosk', 'flows', 'run', "
        "'flows/resident-feedback.yaml', '--answers', 'flows/resident-feedback.answers.yaml']; "
        "console()"
    ),
}


def _one(code: str) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": _CACHE}
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "kiosk.example.toml")],
        cwd=str(ROOT),
        env=env,
        capture_output=True,
        check=False,
    )
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    """Run every child `--runs` times; exit 1 if any of them ended otherwise than with 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="processes of each kind")
    args = parser.parse_args(argv)
    failed = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, code in CHILDREN.items():
            codes = list(pool.map(_one, [code] * args.runs))
            bad = [c for c in codes if c != 0]
            failed += len(bad)
            verdict = "PASS" if not bad else "FAIL"
            clean = args.runs - len(bad)
            print(f"{verdict} {name}: {clean}/{args.runs} exited 0 {sorted(set(bad))}")
    shutil.rmtree(_CACHE, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
