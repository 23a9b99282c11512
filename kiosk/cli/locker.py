"""`kiosk locker ...`: the locker's layout, its doors against its inventory, its problems."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk.config import ConfigError, load_config, locker_buses
from kiosk.locker.layout import build_layout
from kiosk.locker.picture import draw_layout, layout_text


def register(sub: Any, words: Sequence[str] = ()) -> None:
    """Add the `locker` group."""
    parser: argparse.ArgumentParser = sub.add_parser("locker", help="the parcel locker")
    locker_sub = parser.add_subparsers(dest="locker_command", required=True)
    layout = locker_sub.add_parser("layout", help="the layout as text, or as a PNG picture")
    layout.add_argument("--config", type=Path, metavar="FILE", help="kiosk.toml to use")
    layout.add_argument("--png", type=Path, metavar="FILE", help="draw the layout into FILE")
    layout.set_defaults(func=_layout)
    reconcile = locker_sub.add_parser(
        "reconcile", help="read every door, settle interrupted actions, list disagreements"
    )
    reconcile.add_argument("--config", type=Path, metavar="FILE", help="kiosk.toml to use")
    reconcile.set_defaults(func=_reconcile)
    problems = locker_sub.add_parser("problems", help="the disagreements the maintainers see")
    problems.add_argument("--config", type=Path, metavar="FILE", help="kiosk.toml to use")
    problems.set_defaults(func=_problems)


def _layout(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"kiosk locker layout: {exc}", file=sys.stderr)
        return 2
    if config.locker is None:
        print("kiosk locker layout: this kiosk is not a locker (mode)", file=sys.stderr)
        return 2
    layout = build_layout(config.locker, locker_buses(config))
    states = _states(config)
    if args.png:
        draw_layout(layout, states, args.png)
        print(f"{args.png}: {len(layout)} compartments in {len(layout.cabinets)} cabinets")
    else:
        print(layout_text(layout, states))
    return 0


def _states(config: Any) -> dict[str, str]:
    """Each compartment's state from the inventory, when the database exists."""
    path = config.database_path
    if not path.exists():
        return {}
    from kiosk.locker.inventory import compartment_states

    states: dict[str, str] = compartment_states(path)
    return states


def _reconcile(args: argparse.Namespace) -> int:
    """Open the kiosk's services (the doors are read and reconciled as they start); 1 when a
    door disagrees with the inventory or a board cannot be read."""
    from kiosk.app import KioskServices

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"kiosk locker reconcile: {exc}", file=sys.stderr)
        return 2
    if config.locker is None:
        print("kiosk locker reconcile: this kiosk is not a locker (mode)", file=sys.stderr)
        return 2
    with KioskServices(config, outbox_worker=False, device_kinds={"lock_board"}) as services:
        locker = services.locker
        if locker is None:
            print("kiosk locker reconcile: no lock board is open", file=sys.stderr)
            return 1
        problems = locker.inventory.problems()
    for problem in problems:
        print(f"{problem.compartment:<7} {problem.kind:<20} {problem.detail}")
    print(f"{len(problems)} disagreements")
    return 1 if problems else 0


def _problems(args: argparse.Namespace) -> int:
    """Print the unresolved disagreements from the database, without touching the doors."""
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"kiosk locker problems: {exc}", file=sys.stderr)
        return 2
    from kiosk.locker.inventory import open_problems

    found = open_problems(config.database_path) if config.database_path.exists() else []
    for problem in found:
        print(f"{problem.compartment:<7} {problem.kind:<20} {problem.detail}")
    print(f"{len(found)} disagreements")
    return 1 if found else 0
