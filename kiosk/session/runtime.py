"""`KioskRuntime`: the session layer of a running kiosk, composed from its open services.

One place wires what a kiosk needs between its devices and its renderers: the session loop
and its core, the renderers (each built by a factory from the core and the services, so the
touch screen and the voice never know of each other), the headset's state at start, the
device events, and, on simulated devices, the cards taken back at each session's end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from kiosk.app import KioskServices
from kiosk.flow.services import Clock
from kiosk.session.loop import RESULT_HOLD, SessionLoop, Where
from kiosk.session.renderers import SessionInputs, SessionRenderer
from kiosk.session.state import AttractInfo
from kiosk.simulated_devices import SimulatedDevices
from peripherals.events import DeviceEvent
from peripherals.headset.base import Headset
from peripherals.keypad.keys import Key

if TYPE_CHECKING:
    from kiosk.updates.agent import UpdateAgent
    from kiosk.updates.poller import UpdatePoller

log = logging.getLogger(__name__)

RendererFactory = Callable[[SessionInputs, KioskServices], SessionRenderer]
"""Builds one renderer of the session from where its input goes and the kiosk's services."""


class KioskRuntime:
    """The session loop, its core and renderers of one kiosk; `await run()` serves residents."""

    def __init__(
        self,
        services: KioskServices,
        *,
        clock: Clock,
        attract: AttractInfo,
        renderers: Sequence[RendererFactory] = (),
        language: str | None = None,
        result_hold: float = RESULT_HOLD,
        on_attract: Callable[[], None] | None = None,
        updates: UpdateAgent | None = None,
        on_restart: Callable[[], None] | None = None,
    ) -> None:
        config = services.config
        self.updates = updates
        self.services = services
        self.simulated = SimulatedDevices(services.hub) if services.simulate else None
        if self.simulated is not None:
            # the simulated ID card reader starts with a demo card on it: no card is there until
            # someone presents one from the panel
            self.simulated.take_cards_away()
        self.loop = SessionLoop(
            services,
            clock=clock,
            attract=attract,
            language=language or config.terminal.language,
            inactivity=config.timeouts.session_inactivity,
            warning_lead=config.timeouts.warning_lead,
            mode=config.terminal.mode,
            result_hold=result_hold,
            on_attract=self._attract_shown,
            on_session_end=self._session_ended,
            maintenance_key=Key.parse(config.maintenance.key),
            on_restart=on_restart,
            updates=updates,
        )
        self._on_attract = on_attract
        self.poller: UpdatePoller | None = None
        if updates is not None:
            from kiosk.updates.poller import UpdatePoller

            updates.started(services, services.flows, services.journal)
            self.poller = UpdatePoller(
                updates, services, services.journal, clock=clock, idle=self.idle
            )
        from kiosk.heartbeat.task import sender_for

        self.clock = clock
        self.heartbeat = sender_for(
            services, clock, updates.status_file if updates is not None else None
        )
        self.core = self.loop.core
        headset = services.hub.by_kind("headset")
        if isinstance(headset, Headset) and headset.plugged():
            self.core.headset_already_plugged()
        self.renderers = [factory(self.core, services) for factory in renderers]
        for renderer in self.renderers:
            self.core.attach(renderer)

    def _attract_shown(self) -> None:
        """Between sessions: a bundle that became ready during the last one starts now."""
        if self.updates is not None:
            self.updates.activate_ready(self.services, self.services.journal)
        if self._on_attract is not None:
            self._on_attract()

    def _session_ended(self) -> None:
        if self.simulated is not None:
            self.simulated.take_cards_away()
        if self.loop.where is Where.MAINTENANCE:
            return  # a maintainers' visit is no resident's session: it says nothing of a bundle
        if self.updates is not None:
            self.updates.session_ended(self.loop.last_outcome, self.services, self.services.journal)

    def idle(self) -> bool:
        """True when no resident is in a session (the attract screen is up)."""
        return self.loop.where is Where.ATTRACT

    def handle(self, event: DeviceEvent) -> None:
        """A device event, on the loop's thread."""
        self.loop.handle(event)

    async def run(self) -> None:
        """Serve sessions (and poll for updates and send heartbeats, when configured) until
        cancelled."""
        from kiosk.heartbeat.task import run_heartbeats

        background = []
        if self.poller is not None:
            background.append(asyncio.ensure_future(self.poller.run()))
        if self.heartbeat is not None:
            background.append(asyncio.ensure_future(run_heartbeats(self.heartbeat, self.clock)))
        try:
            await self.loop.run()
        finally:
            for task in background:
                task.cancel()
            for task in background:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
