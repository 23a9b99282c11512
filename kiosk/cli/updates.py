"""`kiosk updates check|status`: a kiosk's updates from its configured repository.

`check --config FILE` does what a running kiosk does at each poll, once, on a kiosk with no
resident: recover from any crash, refresh the signed metadata, download, verify and lint the
newest bundle for this kiosk, and activate it (the services are opened to load its flows; a
bundle that does not load is rolled back). It prints the status and exits 0 when up to date or
activated, 1 when something needs a maintainer (unreachable, expired, refused, rolled back).

`status --config FILE` prints the last status the kiosk saved, in the terminal's language.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk.cli import UsageError


def register(sub: Any, words: Sequence[str] = ()) -> None:
    """Add the `updates` group."""
    parser: argparse.ArgumentParser = sub.add_parser("updates", help="signed flow updates")
    updates_sub = parser.add_subparsers(dest="updates_command", required=True)
    check = updates_sub.add_parser("check", help="poll once and activate what is new")
    check.add_argument("--config", type=Path, required=True, metavar="FILE")
    check.set_defaults(func=check_command)
    status = updates_sub.add_parser("status", help="the last update status of this kiosk")
    status.add_argument("--config", type=Path, required=True, metavar="FILE")
    status.add_argument("--lang", choices=("zh_CN", "en"))
    status.set_defaults(func=status_command)


def _config(path: Path) -> Any:
    from kiosk.config import ConfigError, load_config

    try:
        config = load_config(path)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if config.updates.repository is None:
        raise UsageError(f"{path}: no [updates] repository configured")
    return config


def check_command(args: argparse.Namespace) -> int:
    """Poll once, activate a new bundle, print the status."""
    from kiosk.app import KioskServices
    from kiosk.updates.agent import UpdateAgent

    config = _config(args.config)
    agent = UpdateAgent(config)
    try:
        flows_dir = agent.recover()
        services = KioskServices(
            config, outbox_worker=False, device_kinds=set(), flows_dir=flows_dir
        )
        with services:
            agent.started(services, services.flows, services.journal)
            status = agent.poll()
            agent.settle(status, services, services.journal, idle=True)
    finally:
        agent.close()
    _print(agent.status, config.terminal.language)
    return 1 if agent.status.needs_attention else 0


def status_command(args: argparse.Namespace) -> int:
    """Print the saved status."""
    from kiosk.updates.agent import bundle_root
    from kiosk.updates.status import UpdateStatus

    config = _config(args.config)
    status = UpdateStatus.load(bundle_root(config) / "status.json")
    _print(status, args.lang or config.terminal.language)
    return 1 if status.needs_attention else 0


def _print(status: Any, lang: str) -> None:
    from kiosk.i18n import t

    shown = "-" if status.bundle is None else str(status.bundle)
    params = {"bundle": shown, "detail": status.detail, **status.extra}
    print(t(f"updates.status.{status.state.value}", lang, **params))
