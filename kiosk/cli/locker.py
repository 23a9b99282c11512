"""`kiosk locker ...`: the locker's layout, its doors against its inventory, its problems."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kiosk.config import ConfigError, load_config, locker_buses
from kiosk.locker.layout import build_layout
from kiosk.locker.picture import draw_layout, layout_text


def register(sub: Any) -> None:
    """Add the `locker` group."""
    parser: argparse.ArgumentParser = sub.add_parser("locker", help="the parcel locker")
    locker_sub = parser.add_subparsers(dest="locker_command", required=True)
    layout = locker_sub.add_parser("layout", help="the layout as text, or as a PNG picture")
    layout.add_argument("--config", type=Path, metavar="FILE", help="kiosk.toml to use")
    layout.add_argument("--png", type=Path, metavar="FILE", help="draw the layout into FILE")
    layout.set_defaults(func=_layout)


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
