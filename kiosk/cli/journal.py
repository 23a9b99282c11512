"""`kiosk journal verify FILE`: check an exported journal's hash chain (tampering, cut short).

With `--config` the chain's head must also be one the kiosk journalled when it exported the
file, so a file rewritten with a new, consistent chain is told apart too. Exit status: 0 the
file is intact, 1 it is not (the first broken line is named), 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk.cli import UsageError
from kiosk.config import ConfigError, load_config


def register(sub: Any, words: Sequence[str] = ()) -> None:
    """Add the `journal` group."""
    parser: argparse.ArgumentParser = sub.add_parser("journal", help="exported journals")
    journal_sub = parser.add_subparsers(dest="journal_command", required=True)
    verify = journal_sub.add_parser("verify", help="check an exported journal's hash chain")
    verify.add_argument("file", type=Path, metavar="FILE")
    verify.add_argument(
        "--config", type=Path, metavar="FILE", help="also check the kiosk journalled this export"
    )
    verify.set_defaults(func=_verify)


def exported_heads(database: Path) -> set[str]:
    """The chain heads of every export the kiosk journalled (read-only)."""
    try:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise UsageError(f"{database}: {exc}") from None
    try:
        rows = conn.execute("SELECT detail FROM journal WHERE event = 'service.export'").fetchall()
    except sqlite3.Error as exc:
        raise UsageError(f"{database}: {exc}") from None
    finally:
        conn.close()
    heads = set()
    for (detail,) in rows:
        try:
            head = json.loads(detail).get("head")
        except (ValueError, AttributeError):
            continue
        if isinstance(head, str):
            heads.add(head)
    return heads


def _verify(args: argparse.Namespace) -> int:
    from kiosk.maintenance.export import verify

    if not args.file.is_file():
        raise UsageError(f"{args.file}: no such file")
    verdict = verify(args.file)
    if not verdict.ok:
        print(f"{args.file}: NOT intact: line {verdict.line}: {verdict.problem}")
        return 1
    if args.config is not None:
        try:
            config = load_config(args.config)
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
        if verdict.head not in exported_heads(config.database_path):
            print(f"{args.file}: NOT intact: its chain head is not one this kiosk exported")
            return 1
    print(f"{args.file}: intact, {verdict.count} entries, chain head {verdict.head}")
    return 0
