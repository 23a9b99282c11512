"""`kiosk fleet ...`: the fleet server and its accounts.

    kiosk fleet serve [--database URL] [--host H] [--port P] [--repository DIR --keys KEYDIR]
    kiosk fleet add-kiosk TERMINAL [--district D] [--community C] [--group G]   # prints its token
    kiosk fleet add-user NAME --role viewer|operator|administrator             # password on stdin

The database URL also comes from `KIOSK_FLEET_DATABASE` (default: sqlite:///fleet.sqlite3).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_DATABASE = "sqlite:///fleet.sqlite3"


def register(sub: Any, words: Sequence[str] = ()) -> None:
    """Add the `fleet` group."""
    parser: argparse.ArgumentParser = sub.add_parser("fleet", help="the fleet server")
    fleet_sub = parser.add_subparsers(dest="fleet_command", required=True)
    database = os.environ.get("KIOSK_FLEET_DATABASE", DEFAULT_DATABASE)

    serve = fleet_sub.add_parser("serve", help="run the fleet server (migrates the database)")
    serve.add_argument("--database", default=database, metavar="URL")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--repository", type=Path, metavar="DIR", help="the TUF repository")
    serve.add_argument("--keys", type=Path, metavar="KEYDIR", help="snapshot/timestamp keys")
    serve.add_argument("--tours", type=Path, metavar="DIR", help="bundle tours for sign-off")
    serve.add_argument("--offline-after", type=float, default=900.0, metavar="SECONDS")
    serve.add_argument("--secure-cookies", action="store_true", help="behind TLS")
    serve.add_argument(
        "--heartbeat-window",
        type=float,
        default=0.25,
        metavar="SECONDS",
        help="PostgreSQL: how long a heartbeat may wait to be written with others (0: at once)",
    )
    serve.set_defaults(func=_serve)

    kiosk = fleet_sub.add_parser("add-kiosk", help="provision a kiosk and print its token")
    kiosk.add_argument("terminal")
    kiosk.add_argument("--database", default=database, metavar="URL")
    kiosk.add_argument("--district", default="")
    kiosk.add_argument("--community", default="")
    kiosk.add_argument("--group", default="all")
    kiosk.set_defaults(func=_add_kiosk)

    user = fleet_sub.add_parser("add-user", help="add a console user (password on stdin)")
    user.add_argument("name")
    user.add_argument("--database", default=database, metavar="URL")
    user.add_argument("--role", choices=("viewer", "operator", "administrator"), required=True)
    user.set_defaults(func=_add_user)


def _settings(args: argparse.Namespace) -> Any:
    from kiosk.fleet.settings import FleetSettings

    return FleetSettings(
        database_url=args.database,
        repository=getattr(args, "repository", None),
        keys=getattr(args, "keys", None),
        tours=getattr(args, "tours", None),
        offline_after=getattr(args, "offline_after", 900.0),
        secure_cookies=getattr(args, "secure_cookies", False),
        heartbeat_window=getattr(args, "heartbeat_window", 0.25),
    )


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from kiosk.fleet.app import create_app
    from kiosk.fleet.quiet_server import QuietServer

    app = create_app(_settings(args))
    config = uvicorn.Config(
        app, host=args.host, port=args.port, log_level="warning", access_log=False
    )
    QuietServer(config).run()
    return 0


def _add_kiosk(args: argparse.Namespace) -> int:
    from kiosk.fleet.app import Fleet
    from kiosk.fleet.ingest import provision

    fleet = Fleet(_settings(args))
    with fleet.db() as db:
        token = provision(
            db, args.terminal, district=args.district, community=args.community, group=args.group
        )
    print(token)
    print(
        f"put it in the kiosk's [backends.fleet] token; shown only now ({args.terminal})",
        file=sys.stderr,
    )
    return 0


def _add_user(args: argparse.Namespace) -> int:
    from kiosk.fleet.accounts import add_user
    from kiosk.fleet.app import Fleet

    password = sys.stdin.readline().rstrip("\n")
    fleet = Fleet(_settings(args))
    try:
        with fleet.db() as db:
            add_user(db, args.name, password, args.role)
    except ValueError as exc:
        print(f"kiosk fleet: {exc}", file=sys.stderr)
        return 2
    print(f"user {args.name} ({args.role}) saved")
    return 0
