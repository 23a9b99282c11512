"""`kiosk flows ...`: commands for flow files, each command's module imported only when chosen."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence
from typing import Any

COMMANDS: dict[str, str] = {
    "check": "kiosk.cli.flows_lint",
    "schema": "kiosk.cli.flows_lint",
    "graph": "kiosk.cli.flows_lint",
    "run": "kiosk.cli.flows_run",
    "tour": "kiosk.cli.flows_tour",
}
"""Each command and the module whose `register(subparsers)` adds it (with its siblings)."""


def register(sub: Any, words: Sequence[str] = ()) -> None:
    """Add the `flows` group; `words` (after `flows`) name the command whose module is loaded.

    Without a known command (`kiosk flows --help`) every module is loaded for the help text;
    otherwise the other commands are named only, so a typo still lists them all.
    """
    parser: argparse.ArgumentParser = sub.add_parser("flows", help="check, diagram and run flows")
    flows_sub = parser.add_subparsers(dest="flows_command", required=True)
    chosen = next((word for word in words if not word.startswith("-")), None)
    wanted = set(COMMANDS.values()) if chosen not in COMMANDS else {COMMANDS[chosen]}
    for name in dict.fromkeys(COMMANDS.values()):
        if name not in wanted:
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(flows_sub)
    for command, name in COMMANDS.items():
        if name not in wanted:
            flows_sub.add_parser(command)  # named in help and errors, loaded on use
