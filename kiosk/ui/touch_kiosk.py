"""`TouchKiosk`: the whole touch-screen kiosk composed from a configuration, run under asyncio.

The attract screen comes first: the Kivy app starts (`async_run(async_lib="asyncio")`) and draws
it from the validated configuration's terminal name and language. Only then are the
kiosk services (database, journal, outbox, back offices, devices, flows, engine) entered and their
modules imported, and the session layer composed on them (`kiosk.session.runtime`): the touch
screen is one of its renderers, the others come as factories (`kiosk run` gives the voice). A tap
on the start button in the meantime is kept and starts the first session as soon as they are
ready. The pinyin index is built in a background thread meanwhile. Device events reach the UI
thread through a `CallbackDispatcher` on Kivy's `Clock.schedule_once` (thread-safe); leaving
stops the loop and closes everything in reverse order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from kivy.clock import Clock as KivyClock

from kiosk.clock import SystemClock
from kiosk.session.state import AttractInfo
from kiosk.ui import idle_gc
from kiosk.ui.app import KioskApp
from kiosk.ui.lockdown import WindowOptions
from kiosk.ui.shell import preload_screens

# The services and the peripherals are imported after the first frame.
if TYPE_CHECKING:
    from kiosk.app import KioskServices
    from kiosk.config import Config
    from kiosk.flow.services import Clock
    from kiosk.session.renderers import SessionInputs
    from kiosk.session.runtime import KioskRuntime, RendererFactory
    from kiosk.ui.simulate_panel import SimulatePanel
    from kiosk.updates.agent import UpdateAgent
    from peripherals.events import DeviceEvent

log = logging.getLogger(__name__)


def simulated_config(config: Config) -> Config:
    """`config` on simulated devices: the mode's default set when none is configured, and a
    headset jack so the simulate panel can plug headphones in."""
    from kiosk.config import DEFAULT_DEVICES, DeviceSection
    from peripherals import registry

    devices = dict(config.devices)
    if not devices:
        for kind in DEFAULT_DEVICES[config.terminal.mode]:
            devices[kind] = DeviceSection(driver=registry.SIMULATED)
    if not any((section.kind or name) == "headset" for name, section in devices.items()):
        devices["headset"] = DeviceSection(driver=registry.SIMULATED)
    return msgspec.structs.replace(config, devices=devices, simulate=True)


class _Relay:
    """The device-event handler given to the hub before the session loop exists."""

    def __init__(self) -> None:
        self.target: Callable[[DeviceEvent], None] | None = None

    def handle(self, event: DeviceEvent) -> None:
        if self.target is None:
            log.debug("device event %s before the kiosk was ready: dropped", event.type)
            return
        try:
            self.target(event)
        except Exception:  # an event must never take the UI down
            log.exception("device event %s could not be handled", event.type)


def _on_kivy_thread(callback: Callable[[], None]) -> None:
    KivyClock.schedule_once(lambda _dt: callback(), 0)


class TouchKiosk:
    """One run of the touch-screen kiosk; `await run()` returns when the app stops.

    `config` is a validated `Config`; `config` the attribute is that configuration on simulated
    devices when simulating.

    `first_frame_seconds` (since this object was made) and `first_frame_at` (wall clock) tell
    when the attract screen was first drawn, `first_frame_cpu` the process's CPU seconds (every
    thread) by then; `ready` is set once the services are open and the
    session loop shows the attract screen, i.e. when the kiosk serves residents.
    `stop_after_first_frame` stops the app right then (start-up checks and benchmarks).
    `result_hold` defaults to `kiosk.session.loop.RESULT_HOLD`. `renderers` build the session's
    other renderers beside the touch screen (the CLI gives the voice).
    """

    def __init__(
        self,
        config: Config,
        *,
        simulate: bool | None = None,
        options: WindowOptions | None = None,
        language: str | None = None,
        data_dir: Path | None = None,
        clock: Clock | None = None,
        result_hold: float | None = None,
        stop_after_first_frame: bool = False,
        renderers: Sequence[RendererFactory] = (),
    ) -> None:
        self.simulate = config.simulate if simulate is None else simulate
        self.config: Config = simulated_config(config) if self.simulate else config
        self.options = options or WindowOptions()
        self.language = language or config.terminal.language
        self.data_dir = data_dir
        self.clock: Clock = clock or SystemClock()
        self.result_hold = result_hold
        self.stop_after_first_frame = stop_after_first_frame
        self.renderers = tuple(renderers)
        self.ready = asyncio.Event()
        self.started_at = time.perf_counter()
        self.first_frame_seconds: float | None = None
        self.first_frame_at: float | None = None
        self.first_frame_cpu: float | None = None
        self.services: KioskServices | None = None
        self.app: KioskApp | None = None
        self.runtime: KioskRuntime | None = None
        self.updates: UpdateAgent | None = None
        self.panel: SimulatePanel | None = None
        self._relay = _Relay()
        self._stopping = False
        self.restart_requested = False
        """The service menu asked for a restart: `kiosk run` starts the kiosk again."""

    @property
    def attract(self) -> AttractInfo:
        """The attract screen's content: the terminal's name in every language."""
        return AttractInfo(msgspec.structs.asdict(self.config.terminal.name))

    def restart(self) -> None:
        """Stop, to be started again (the service menu's restart)."""
        log.warning("restart asked for from the service menu")
        self.restart_requested = True
        self.stop()

    def stop(self) -> None:
        """Ask the app to stop; `run()` then closes everything and returns."""
        self._stopping = True
        if self.app is not None and self.app.shell is not None:
            self.app.stop()

    async def run(self) -> None:
        """Run the kiosk until the app stops (or this task is cancelled)."""
        app = self.app = KioskApp(options=self.options, language=self.language)
        drawn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # on_start comes before Kivy's first frame: the attract screen is in that very frame
        app.bind(on_start=lambda *_: self._show_attract(app, drawn))
        ui = asyncio.ensure_future(app.async_run(async_lib="asyncio"))
        sessions: asyncio.Future[Any] | None = None
        try:
            if not await _before(ui, drawn):
                return
            log.info("attract screen drawn %.2f s after start", self.first_frame_seconds)
            preload_screens()  # what the attract screen did not need, before a resident taps
            if not self.stop_after_first_frame:
                idle_gc.enable()  # full collections at the attract screen, not in sessions
                from kiosk.ui.pinyin_index import build_in_background

                build_in_background()  # the pinyin keyboard's index, ready before anyone types
            # Opening the services blocks this thread (~0.2 s); the attract screen is up.
            await asyncio.sleep(0)
            if self._stopping or ui.done():
                return
            from kiosk.app import KioskServices
            from kiosk.maintenance.brightness import apply_brightness
            from kiosk.updates.agent import agent_for
            from peripherals.events import CallbackDispatcher

            display = self.config.display
            apply_brightness(display.brightness, display.backlight)

            dispatcher = CallbackDispatcher(_on_kivy_thread, self._relay.handle)
            self.updates = agent_for(self.config, self.data_dir)
            services = KioskServices(
                self.config,
                simulate=self.simulate,
                data_dir=self.data_dir,
                engine_clock=self.clock,
                dispatcher=dispatcher,
                flows_dir=self.updates.recover() if self.updates else None,
            )
            with services:
                self.services = services
                try:
                    sessions = asyncio.ensure_future(self._build(app, services).run())
                    await asyncio.wait({ui, sessions}, return_when=asyncio.FIRST_COMPLETED)
                    if sessions.done() and not sessions.cancelled() and sessions.exception():
                        log.error(
                            "the session loop stopped: %s", type(sessions.exception()).__name__
                        )
                        raise sessions.exception()  # type: ignore[misc]
                finally:
                    if sessions is not None and not sessions.done():
                        sessions.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await sessions
                    await _stop_ui(app, ui)
                    self._teardown()
                    self._relay.target = None
                    self.services = None
        finally:
            idle_gc.disable()
            await _stop_ui(app, ui)

    def _show_attract(self, app: KioskApp, drawn: asyncio.Future[None]) -> None:
        """Show the attract screen at once; `drawn` is done when a frame with it is on screen."""
        assert app.shell is not None
        from kivy.core.window import Window

        def flipped(*_: Any) -> None:
            Window.unbind(on_flip=flipped)
            # stamped here, not when the waiting task resumes: the frame is on screen now
            self.first_frame_at = time.time()
            self.first_frame_cpu = time.process_time()
            self.first_frame_seconds = time.perf_counter() - self.started_at
            if not drawn.done():
                drawn.set_result(None)

        maintenance = self.config.maintenance
        app.shell.hold_corner(maintenance.long_press, maintenance.corner, maintenance.corner_size)
        app.shell.show_attract(self.attract, self.language)
        Window.bind(on_flip=flipped)
        Window.canvas.ask_update()

    def _build(self, app: KioskApp, services: KioskServices) -> KioskRuntime:
        shell = app.shell
        assert shell is not None
        from kiosk.session.loop import RESULT_HOLD
        from kiosk.session.runtime import KioskRuntime
        from kiosk.ui.renderer import TouchRenderer

        def touch(inputs: SessionInputs, _services: KioskServices) -> TouchRenderer:
            return TouchRenderer(shell, inputs)

        runtime = self.runtime = KioskRuntime(
            services,
            clock=self.clock,
            attract=self.attract,
            renderers=(touch, *self.renderers),
            language=self.language,
            result_hold=RESULT_HOLD if self.result_hold is None else self.result_hold,
            on_attract=self._attract_shown,
            on_restart=self.restart,
            updates=self.updates,
        )
        self._relay.target = runtime.handle
        if runtime.simulated is not None:
            from kivy.core.window import Window

            from kiosk.ui.simulate_panel import SimulatePanel

            self.panel = SimulatePanel(runtime.simulated, self.language)
            self.panel.attach(Window)
        return runtime

    def _attract_shown(self) -> None:
        if self.ready.is_set():
            return
        from kivy.core.window import Window

        def drawn(*_: Any) -> None:
            Window.unbind(on_flip=drawn)
            if self.ready.is_set():
                return
            self.ready.set()
            if self.stop_after_first_frame:
                self.stop()

        Window.bind(on_flip=drawn)
        Window.canvas.ask_update()

    def _teardown(self) -> None:
        if self.panel is not None:
            from kivy.core.window import Window

            self.panel.detach(Window)
            self.panel = None
        self.runtime = None


async def _stop_ui(app: KioskApp, ui: asyncio.Future[Any]) -> None:
    if not ui.done():
        app.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await ui


async def _before(ui: asyncio.Future[Any], step: Any) -> bool:
    """Await `step` unless the app stops first; False when it stopped (its error is raised)."""
    task = asyncio.ensure_future(step)
    await asyncio.wait({ui, task}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        return True
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    ui.result()  # the app could not start or stopped: its error goes to the caller
    return False


__all__ = ["TouchKiosk", "simulated_config"]
