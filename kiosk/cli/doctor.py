"""`kiosk doctor`: check this machine's set-up for the kiosk (`kiosk.cli.doctor_checks`)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kiosk.cli import UsageError


def register(sub: Any, words: Sequence[str] = ()) -> None:
    """Add the `doctor` command."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "doctor", help="check this machine's set-up and say what is wrong"
    )
    parser.add_argument("--config", type=Path, metavar="FILE", help="kiosk.toml to check")
    parser.add_argument(
        "--offline", action="store_true", help="do not try to reach the back offices"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per check")
    parser.set_defaults(func=_doctor)


def _doctor(args: argparse.Namespace) -> int:
    from kiosk.cli.doctor_checks import examine, worst
    from kiosk.config import ConfigError, load_config

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    checks = examine(config, network=not args.offline)
    if args.json:
        for check in checks:
            print(json.dumps(asdict(check), ensure_ascii=False))
    else:
        width = max(len(c.name) for c in checks)
        for check in checks:
            line = f"{check.status:<5} {check.name:<{width}}  {check.detail}"
            print(
                line
                + (
                    f"\n      {'':<{width}}  → {check.fix}"
                    if check.fix and check.status != "ok"
                    else ""
                )
            )
        counts = {s: sum(c.status == s for c in checks) for s in ("ok", "warn", "fail")}
        print(f"{counts['ok']} ok, {counts['warn']} warnings, {counts['fail']} failures")
    return 1 if worst(checks) == "fail" else 0
