"""`kiosk run [--config FILE] [--simulate] [--windowed] [--lang zh_CN|en]`: the touch-screen kiosk.

Without `--config`, the embedded defaults: simulated devices, the demo back office on loopback,
SQLite in `./data`. `--simulate` swaps every device for its simulator and the back offices for
the demo one, and adds the simulate panel (the "SIM" button, hotkeys F1–F5, F12). `--windowed`
opens a normal window with a cursor instead of the locked-down fullscreen kiosk window.

For start-up checks and benchmarks, the hidden option `--exit-after-first-frame` (or the
environment variable `KIOSK_EXIT_AFTER_FIRST_FRAME=1`) stops the kiosk as soon as it is ready
(the attract screen drawn, then the services opened behind it), printing
`attract screen drawn in N.NN s (wall clock T, CPU C s)`: N.NN counts from the start of the
process (from the kiosk's creation where /proc is missing), T is the `time.time()` of that first
frame, for a benchmark to subtract its own spawn time from, C the CPU time the process (all its
threads) had spent by then. It exits 0.

Exit status: 0 after a clean stop, 1 when the kiosk cannot start or stops on an error, 2 for a
bad configuration (one line naming the file, key and problem).

Start-up order: the whole configuration is read and validated first (`kiosk.config`, a few
milliseconds), so a mistake anywhere in it is reported before any window opens, every time; then
the window opens on the attract screen and the services start behind it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.cli import UsageError
from kiosk.flow.languages import LANGUAGES

if TYPE_CHECKING:
    from kiosk.app import KioskServices
    from kiosk.config import Config
    from kiosk.session.renderers import SessionInputs, SessionRenderer
    from kiosk.ui.lockdown import WindowOptions

log = logging.getLogger(__name__)

EXIT_AFTER_FIRST_FRAME = "KIOSK_EXIT_AFTER_FIRST_FRAME"
"""Environment variable: `1` stops the kiosk once the attract screen has been drawn."""


def register(sub: Any, words: Sequence[str] = ()) -> None:
    """Add the `run` command."""
    parser: argparse.ArgumentParser = sub.add_parser("run", help="run the touch-screen kiosk")
    parser.add_argument("--config", type=Path, metavar="FILE", help="kiosk.toml to use")
    parser.add_argument(
        "--simulate",
        action="store_true",
        help="simulated devices, the demo back office and the simulate panel",
    )
    parser.add_argument(
        "--windowed", action="store_true", help="a normal window with a cursor (development)"
    )
    parser.add_argument("--lang", choices=LANGUAGES, help="the language sessions start in")
    parser.add_argument("--exit-after-first-frame", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    """Load the configuration and run the kiosk until it is stopped."""
    from kiosk.config import ConfigError, load_config

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if config.log_file is not None:
        _log_to_file(config.log_file)
    # Kivy reads these when first imported: keep our arguments and route its log through ours.
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    # Kivy logs start-up chatter (and optional input drivers it cannot load) at INFO and ERROR;
    # the kiosk's own warnings are what an operator needs, unless asked for more with -v.
    os.environ.setdefault("KCFG_KIVY_LOG_LEVEL", "debug" if args.verbose else "critical")
    exit_early = args.exit_after_first_frame or os.environ.get(EXIT_AFTER_FIRST_FRAME) == "1"
    try:
        from kiosk.ui.lockdown import WindowOptions
        from kiosk.ui.touch_kiosk import TouchKiosk

        kiosk = TouchKiosk(
            config,
            simulate=True if args.simulate else None,
            options=WindowOptions.development() if args.windowed else _window(config),
            language=args.lang,
            stop_after_first_frame=exit_early,
            renderers=(_voice,),
        )
        asyncio.run(_run(kiosk))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        log.debug("kiosk stopped", exc_info=True)
        print(f"kiosk: cannot run the kiosk: {_one_line(exc)}", file=sys.stderr)
        return 1
    if kiosk.restart_requested:
        _restart()
    if exit_early:
        if not kiosk.ready.is_set():
            print("kiosk: stopped before the attract screen was drawn", file=sys.stderr)
            return 1
        drawn_at = kiosk.first_frame_at or 0.0
        seconds = _since_process_start(drawn_at)
        if seconds is None:
            seconds = kiosk.first_frame_seconds or 0.0
        cpu = kiosk.first_frame_cpu or 0.0
        print(
            f"attract screen drawn in {seconds:.2f} s (wall clock {drawn_at:.6f}, CPU {cpu:.3f} s)"
        )
    return 0


def _restart() -> None:
    """Start the kiosk again after the service menu's restart: under systemd (the unit says
    Restart=always) exiting is enough; elsewhere this process becomes a new kiosk."""
    if os.environ.get("INVOCATION_ID"):
        log.warning("restarting: the service manager starts the kiosk again")
        return
    log.warning("restarting the kiosk")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "kiosk", *sys.argv[1:]])


def _voice(inputs: SessionInputs, services: KioskServices) -> SessionRenderer:
    """The kiosk's voice renderer, imported once the services are open (after the first frame)."""
    from kiosk.voice.kiosk_voice import kiosk_voice

    return kiosk_voice(inputs, services)


def _since_process_start(wall: float) -> float | None:
    """Seconds from this process's start to the wall-clock time `wall` (None without /proc)."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, after boot
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return None
    seconds = age - (time.time() - wall)
    return seconds if seconds > 0 else None


async def _run(kiosk: Any) -> None:
    from kiosk.service_notify import ServiceNotifier

    loop = asyncio.get_running_loop()
    notifier = ServiceNotifier()

    def stop() -> None:
        notifier.stopping()
        kiosk.stop()

    for signum in (signal.SIGINT, signal.SIGTERM):
        # a clean stop: the session in progress is ended and wiped, devices are closed
        loop.add_signal_handler(signum, stop)

    async def serving() -> None:
        await kiosk.ready.wait()
        notifier.ready(f"serving residents as {kiosk.config.terminal.id}")
        await notifier.keep_alive()

    watch = asyncio.ensure_future(serving())
    try:
        await kiosk.run()
    finally:
        watch.cancel()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def _log_to_file(path: Path) -> None:
    """Log INFO and up to `path` too (standard error keeps its level); reopened when rotated."""
    from logging.handlers import WatchedFileHandler

    from kiosk.privacy.logging import install as scrub_logs

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = WatchedFileHandler(path, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"log_file {path}: {exc.strerror or exc}") from None
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in root.handlers:
        existing.setLevel(max(existing.level, root.level))
    root.addHandler(handler)
    root.setLevel(min(root.level, logging.INFO))
    scrub_logs()  # the file gets the same masking as standard error


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if str(exc) else text


def _window(config: Config) -> WindowOptions:
    """The locked-down window as the `[display]` section describes it."""
    from kiosk.ui.lockdown import WindowOptions

    display = config.display
    return WindowOptions(
        fullscreen=display.fullscreen,
        borderless=display.borderless,
        show_cursor=display.show_cursor,
        width=display.width,
        height=display.height,
        multisamples=display.multisamples,
    )
