"""The `kiosk` command line: `kiosk run`, `kiosk flows ...`, `kiosk devices ...`, `kiosk menu ...`,
`kiosk journal ...`, `kiosk backoffice`."""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any, NoReturn

from kiosk.privacy.logging import install as scrub_logs

# Each group module exposes `register(subparsers, words)` (`words`: the command line after the
# group's name, for a group that loads only the chosen command); its commands set
# `func(args) -> int`.
GROUPS: tuple[str, ...] = (
    "kiosk.cli.run",
    "kiosk.cli.flows",
    "kiosk.cli.devices",
    "kiosk.cli.doctor",
    "kiosk.cli.menu",
    "kiosk.cli.journal",
    "kiosk.cli.bundle",
    "kiosk.cli.repo",
    "kiosk.cli.updates",
    "kiosk.cli.fleet",
    "kiosk.cli.locker",
    "kiosk.cli.backoffice",
)


class UsageError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


def _chosen_group(argv: Sequence[str] | None) -> tuple[str | None, list[str]]:
    """The command group named on the command line, if any (the first word not an option),
    and the words after it."""
    words = list(sys.argv[1:] if argv is None else argv)
    names = {module.rsplit(".", 1)[-1] for module in GROUPS}
    for index, word in enumerate(words):
        if not word.startswith("-"):
            return (word, words[index + 1 :]) if word in names else (None, [])
    return None, []


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser; only the chosen group's module is imported (start-up time)."""
    parser = argparse.ArgumentParser(prog="kiosk", description="Community self-service kiosk")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True)
    chosen, rest = _chosen_group(argv)
    for name in GROUPS:
        if chosen is not None and name.rsplit(".", 1)[-1] != chosen:
            # named in help and errors, loaded on use; never parses, so no -h (argparse looks up
            # the translation of each help text: four failed file looks a text)
            sub.add_parser(name.rsplit(".", 1)[-1], add_help=False)
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub, rest)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    from kiosk.flow.collector import paused_gc

    with paused_gc():  # the chosen command's modules, imported here, live as long as the process
        parser = build_parser(argv)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # Last line of defence: no log line carries a full ID or phone number.
    scrub_logs()
    previous = _terminate_cleanly()
    try:
        code: int = args.func(args)
    except UsageError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Terminated:
        return 143  # stopped by SIGTERM, after every `with` block cleaned up (temporary folders)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return code


def console() -> NoReturn:
    """The `kiosk` command: `main`, then exit with its code (not `run`: that is the submodule).

    Once a command has returned, what it opened is closed (its `with` blocks); what is left is
    only freed as the process exits. Python would first walk all of it once more looking for
    reference cycles (tens of milliseconds after a `flows check` of a large catalogue, most of
    what such a check costs beyond its work): frozen, it is left out of that walk.
    """
    code = main()
    gc.freeze()
    sys.exit(code)


class Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C so that temporary folders and devices are closed."""


def _terminate_cleanly() -> Any:
    """Turn SIGTERM into `Terminated` (main thread only); the previous handler, or None."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def terminated(signum: int, frame: Any) -> None:
        raise Terminated

    return signal.signal(signal.SIGTERM, terminated)
