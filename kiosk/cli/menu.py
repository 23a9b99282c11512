"""`kiosk menu pin` and `kiosk menu tour`: maintainers' PINs, and screenshots of the service menu.

`kiosk menu pin NAME --role technician|administrator --config FILE` asks for the PIN twice
without echo (or reads one line from standard input with `--stdin`), and writes its salted
argon2id hash into `[maintenance.pins.NAME]` of the configuration file (comments kept, checked,
renamed into place). The PIN is never an argument, never printed and never stored in clear.
`--remove` takes a maintainer's PIN away.

`kiosk menu tour --out DIR [--mode government|locker] [--lang zh_CN|en] [--elder] [--contrast]`
opens the service menu in the real app on simulated devices and photographs every page.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from kiosk.cli import UsageError
from kiosk.config import ConfigError
from kiosk.flow.schema import LANGUAGES


def register(sub: Any, words: Sequence[str] = ()) -> None:
    """Add the `menu` group."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "menu", help="the maintainers' service menu: PINs and a tour of its pages"
    )
    menu_sub = parser.add_subparsers(dest="menu_command", required=True)

    pin = menu_sub.add_parser("pin", help="set (or remove) a maintainer's PIN in kiosk.toml")
    pin.add_argument("name", metavar="NAME", help="the maintainer's name in the journal")
    pin.add_argument("--role", choices=("technician", "administrator"), default="technician")
    pin.add_argument("--config", type=Path, required=True, metavar="FILE", help="kiosk.toml")
    pin.add_argument("--stdin", action="store_true", help="read the PIN from standard input")
    pin.add_argument("--remove", action="store_true", help="remove this maintainer's PIN")
    pin.set_defaults(func=_pin)

    tour = menu_sub.add_parser("tour", help="photograph every page of the service menu")
    tour.add_argument("--out", type=Path, required=True, metavar="DIR")
    tour.add_argument("--mode", choices=("government", "locker"), default="government")
    tour.add_argument("--lang", choices=LANGUAGES, default="zh_CN")
    tour.add_argument("--elder", action="store_true", help="elder mode (large print)")
    tour.add_argument("--contrast", action="store_true", help="high contrast")
    tour.add_argument(
        "--timeout", type=float, default=120.0, metavar="S", help="give up after S seconds"
    )
    tour.set_defaults(func=_tour)


def _read_pin(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().strip()
    first = getpass.getpass("New maintainer PIN (6-12 digits): ")
    if getpass.getpass("The PIN again: ") != first:
        raise UsageError("the two PINs differ; nothing changed")
    return first


def _pin(args: argparse.Namespace) -> int:
    from kiosk.maintenance.pins import BadPin, hash_pin
    from kiosk.maintenance.settings import remove_key, write_values

    config: Path = args.config
    name: str = args.name
    try:
        if args.remove:
            remove_key(config, ("maintenance", "pins", name))
            print(f"{config}: PIN of {name} removed")
            return 0
        try:
            hashed = hash_pin(_read_pin(args.stdin))
        except BadPin as exc:
            raise UsageError(f"PIN not set: {exc}") from None
        place = ("maintenance", "pins", name)
        write_values(config, {(*place, "role"): args.role, (*place, "hash"): hashed})
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    print(f"{config}: PIN of {name} ({args.role}) set; the kiosk uses it after a restart")
    return 0


def _tour(args: argparse.Namespace) -> int:
    from kiosk.cli.flows_tour import _prepare_kivy, tour_folder

    out: Path = args.out
    tour_folder(out, "pages.md")
    with ExitStack() as stack:
        _prepare_kivy(stack, bool(getattr(args, "verbose", False)))
        from kiosk.ui.menu_tour import MenuTourOptions, menu_tour

        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kiosk-menu-tour-")))
        options = MenuTourOptions(
            out=out,
            work=work,
            mode=args.mode,
            language=args.lang,
            elder=args.elder,
            contrast=args.contrast,
            timeout=args.timeout,
        )
        result = menu_tour(options)
    print(f"{len(result.pages)} pages, index in {result.index}")
    if result.error:
        print(f"tour incomplete: {result.error}")
        return 1
    return 0
