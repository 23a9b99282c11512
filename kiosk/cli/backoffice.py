"""`kiosk backoffice`: run the demo back office alone, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk.cli import UsageError

DEFAULT_PORT = 8765


def register(sub: Any, words: Sequence[str] = ()) -> None:
    """Add the `backoffice` command."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "backoffice",
        help="serve the demo back office (backoffice/openapi.yaml) with invented data",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="TCP port (0: any free)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--token", help="the bearer token to require (default: a random one)")
    parser.add_argument(
        "--data", type=Path, metavar="DIR", help="keep data and idempotency keys in DIR"
    )
    parser.add_argument(
        "--auto-pay-after",
        type=int,
        default=3,
        metavar="N",
        help="a payment order is paid at its Nth poll (0: only when told)",
    )
    parser.add_argument(
        "--reply-delay",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait between taking a submission and answering it (a slow network)",
    )
    parser.add_argument(
        "--openapi", action="store_true", help="print the OpenAPI document (YAML) and exit"
    )
    parser.set_defaults(func=_backoffice)


def _backoffice(args: argparse.Namespace) -> int:
    if args.openapi:
        from kiosk.backoffice.demo_openapi import as_yaml

        sys.stdout.write(as_yaml())
        return 0
    from kiosk.backoffice.demo import DemoBackOffice

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: expected 0-65535")
    office = DemoBackOffice(
        port=args.port,
        host=args.host,
        token=args.token,
        data=args.data,
        auto_pay_after=args.auto_pay_after or None,
        reply_delay=max(args.reply_delay, 0.0),
        server="fastapi",  # the app the contract document is generated from, /openapi.json too
    )
    try:
        office.start()
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    with office:
        print(f"demo back office on {office.url}", flush=True)
        print(f"token {office.token}", flush=True)
        while True:
            signal.pause()  # SIGTERM and Ctrl-C end it through the CLI's handlers
