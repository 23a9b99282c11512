"""`kiosk flows ...`: commands for flow files."""

from __future__ import annotations

import argparse
import importlib
from typing import Any

# Each module exposes `register(subparsers)` adding its commands to the `flows` group.
COMMANDS: tuple[str, ...] = ("kiosk.cli.flows_lint", "kiosk.cli.flows_run", "kiosk.cli.flows_tour")


def register(sub: Any) -> None:
    """Add the `flows` group."""
    parser: argparse.ArgumentParser = sub.add_parser("flows", help="check, diagram and run flows")
    flows_sub = parser.add_subparsers(dest="flows_command", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(flows_sub)
