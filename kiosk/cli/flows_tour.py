"""`kiosk flows tour FLOW --answers FILE --out DIR`: screenshots and a transcript for sign-off.

Runs the flow in the real Kivy app (headless: with no DISPLAY, SDL2 draws offscreen with Mesa)
on the same embedded services and simulated devices as `kiosk flows run`, answers each screen
from the answers file through the UI (see `kiosk.ui.tour` for how each answer is given), and
writes into DIR:

- `01-consent.png`, `02-how.png`, ...: every screen as first drawn, numbered in order;
- `transcript.md` and `transcript.json`: for each screen what it showed (title, text, options,
  rows as shown, masked), what the voice says, the answer given (masked) and how it was given.

`--elder` and `--contrast` switch the look; `--lang` the starting language. Exit status: 0 when
the flow finished, 1 for any other outcome (or a tour that could not complete), 2 for usage
errors (bad flow or answers file, a prompt the answers file does not answer).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from kiosk.cli import UsageError

# Shared with `kiosk flows run` (they should move to a module of their own).
from kiosk.cli.flows_run import _library, _services, mode_of
from kiosk.flow.loader import DEFAULT_FLOWS_DIR
from kiosk.flow.schema import LANGUAGES
from kiosk.flow.scripted import ScriptedRenderer, ScriptError, load_script


def register(sub: Any) -> None:
    """Add `tour` to the `flows` group."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "tour", help="run a flow in the real UI headless: screenshots and transcript"
    )
    parser.add_argument("flow", metavar="FLOW", help="a flow file, or a flow id in flows/")
    parser.add_argument("--answers", type=Path, required=True, metavar="FILE")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.add_argument("--lang", choices=LANGUAGES, help="starting language")
    parser.add_argument("--elder", action="store_true", help="elder mode (适老模式)")
    parser.add_argument(
        "--size",
        type=_size,
        default=(1280, 1024),
        metavar="WxH",
        help="the panel: 1280x1024 (landscape, default) or 1080x1920 (portrait)",
    )
    parser.add_argument("--contrast", action="store_true", help="high contrast")
    parser.add_argument("--config", type=Path, metavar="FILE", help="kiosk.toml to use")
    parser.add_argument(
        "--timeout", type=float, default=120.0, metavar="S", help="give up after S seconds"
    )
    parser.set_defaults(func=tour_command)


def _prepare_kivy(stack: ExitStack, verbose: bool) -> None:
    """Kivy settings that must precede its import: our arguments, our logging, a private home."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    if not verbose:
        # the tour reports its own problems; Kivy's start-up chatter would bury them
        os.environ.setdefault("KCFG_KIVY_LOG_LEVEL", "critical")
        logging.getLogger("kivy").setLevel(logging.CRITICAL)
    if "KIVY_HOME" not in os.environ:
        home = stack.enter_context(tempfile.TemporaryDirectory(prefix="kiosk-kivy-"))
        os.environ["KIVY_HOME"] = home


def _size(text: str) -> tuple[int, int]:
    """`1080x1920` as (1080, 1920)."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not WIDTHxHEIGHT: {text!r}") from None
    if not (320 <= width <= 4096 and 320 <= height <= 4096):
        raise argparse.ArgumentTypeError(f"no panel is {text}")
    return width, height


def _way_in(services: Any, lang: str) -> tuple[Any, Any]:
    """The attract screen's information and the service menu of the tour's terminal."""
    import msgspec

    from kiosk.session.menu import build_menu
    from kiosk.session.state import AttractInfo

    config = services.config
    attract = AttractInfo(msgspec.structs.asdict(config.terminal.name))
    menu = build_menu(services.catalogue(), config.terminal.mode)
    return attract, menu.prompt(lang)


def _receipt_pictures(services: Any, out: Path) -> list[Path]:
    """Every receipt the simulated printer received, decoded from its ESC/POS and drawn."""
    from peripherals.printer.decode import Cut, Paper

    for old in out.glob("receipt-*.png"):
        old.unlink()
    printer = services.hub.get("printer")
    simulator = getattr(printer, "simulator", None)
    if simulator is None:
        return []
    receipts: list[list[Any]] = [[]]
    for item in simulator.paper().items:
        receipts[-1].append(item)
        if isinstance(item, Cut):
            receipts.append([])
    pictures = []
    for number, items in enumerate((r for r in receipts if r), start=1):
        path = out / f"receipt-{number}.png"
        Paper(items).preview().save(path)
        pictures.append(path)
    return pictures


def tour_folder(out: Path, *made: str) -> None:
    """Make `out` for a tour's pictures, or say why it cannot be; remove an earlier tour's
    numbered pictures and the files `made` (a shorter tour must not leave a longer one's)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out}: {exc.strerror}") from exc
    if not os.access(out, os.W_OK):
        raise UsageError(f"{out}: not writable")
    for old in (*out.glob("[0-9][0-9]-*.png"), *(out / name for name in made)):
        old.unlink(missing_ok=True)


def tour_command(args: argparse.Namespace) -> int:
    """Run the tour; write screenshots and transcripts; print where they are."""
    try:
        script = load_script(args.answers)
    except ScriptError as exc:
        raise UsageError(str(exc)) from exc
    flow, library = _library(args.flow, DEFAULT_FLOWS_DIR)
    out: Path = args.out
    tour_folder(out, "transcript.md", "transcript.json")

    with ExitStack() as stack:
        _prepare_kivy(stack, bool(getattr(args, "verbose", False)))
        from kiosk.clock import ManualClock
        from kiosk.flow.session import Session
        from kiosk.ui.tour import TourOptions, run_tour, write_transcript
        from kiosk.voice.script import Narrator

        clock = ManualClock(start=time.time())
        services = stack.enter_context(
            _services(args.config, library, script, clock, mode_of(flow))
        )
        lang = args.lang or script.language or services.config.terminal.language
        session = Session(clock, language=lang)
        oracle = ScriptedRenderer(script, clock=clock)
        options = TourOptions(
            out=out,
            language=lang,
            elder=args.elder,
            contrast=args.contrast,
            size=args.size,
            timeout=args.timeout,
        )
        attract, menu = _way_in(services, lang)
        result = asyncio.run(
            run_tour(
                flow.id,
                services.engine,
                session,
                oracle,
                options,
                Narrator().say,
                attract=attract,
                menu=menu,
            )
        )
        receipts = _receipt_pictures(services, out)

    header = {"flow": flow.id, "language": lang, "elder": args.elder, "contrast": args.contrast}
    header["way_in"] = result.way_in  # what the attract screen and the menu do not show whole
    error = result.error
    if result.outcome is not None:
        outcome = {
            "status": result.outcome.status,
            "step": result.outcome.step,
            "error": result.outcome.error,
        }
    else:
        reason = "timed out" if isinstance(error, TimeoutError) else str(error)
        outcome = {"status": "incomplete", "step": None, "error": reason}
    md, _json = write_transcript(out, result.screens, header, outcome)
    print(f"{len(result.screens)} screens, transcript in {md}")
    for picture in receipts:
        print(f"printed receipt: {picture}")
    if isinstance(error, ScriptError):
        raise UsageError(f"{args.answers}: {error}")
    if error is not None:
        print(f"tour incomplete: {outcome['error']}")
        return 1
    print(f"outcome: {outcome['status']} at {outcome['step']}")
    return 0 if outcome["status"] == "finished" else 1
