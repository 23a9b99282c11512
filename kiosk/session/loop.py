"""The session loop of the kiosk: attract → service menu → flow → result → attract.

A session starts on the start button, a keypad key, the voice key, a headset plug, a social
security card insertion or a code scan. The menu and every flow prompt are asked through the
`SessionCore`, so they are answered by touch, by the keypad or by voice, whichever comes
first, and timed out by the same rules (`kiosk.flow.asking`). The end of every session wipes its
data and resets the screen, the language, elder mode, contrast and voice mode.

Everything here runs on the asyncio loop the kiosk runs in; device events arrive through
`handle` on that loop's thread.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec

from kiosk.app import KioskServices
from kiosk.flow import asking
from kiosk.flow.languages import LANGUAGES
from kiosk.flow.outcome import Outcome
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind, PromptOption
from kiosk.flow.services import BackendError, Clock
from kiosk.flow.session import Session
from kiosk.flow.tasks import cancel_and_wait
from kiosk.i18n import t
from kiosk.session.core import SessionCore
from kiosk.session.menu import MENU_FLOW, Menu, build_menu
from kiosk.session.state import AttractInfo, PromptView
from peripherals.events import DeviceEvent, EventType
from peripherals.keypad.keys import Key

if TYPE_CHECKING:
    from kiosk.updates.agent import UpdateAgent

log = logging.getLogger(__name__)

MAINTENANCE = "maintenance:"
"""How the attract screen's wait is ended by a request for the service menu (`maintenance:key`)."""
SERVICE_FLOW = "$service"
"""The journal's flow id of the service menu's entries."""

RESULT_HOLD = 30.0
"""Seconds a result or error stays on screen when the resident does not tap "Done"."""

_STARTERS = {
    EventType.KEY_PRESSED: "keypad",
    EventType.CARD_INSERTED: "card",
    EventType.CODE_SCANNED: "scan",
}
_DEVICE_CHANGES = frozenset(
    {EventType.STATUS_CHANGED, EventType.PAPER_OUT, EventType.READER_REMOVED}
)


class Where(enum.StrEnum):
    """Where the resident is in the session loop."""

    STARTING = "starting"
    ATTRACT = "attract"
    MENU = "menu"
    FLOW = "flow"
    RESULT = "result"
    MAINTENANCE = "maintenance"


class SessionLoop:
    """Serves one resident session after another with the kiosk's services and a `SessionCore`.

    `on_attract()` is called each time the attract screen is shown, `on_session_end()` after
    each session (a simulation takes the cards back).
    """

    def __init__(
        self,
        services: KioskServices,
        *,
        clock: Clock,
        attract: AttractInfo,
        language: str = LANGUAGES[0],
        inactivity: float = 120.0,
        warning_lead: float = 30.0,
        mode: str = "government",
        result_hold: float = RESULT_HOLD,
        on_attract: Callable[[], None] | None = None,
        on_session_end: Callable[[], None] | None = None,
        maintenance_key: Key | None = None,
        on_restart: Callable[[], None] | None = None,
        updates: UpdateAgent | None = None,
    ) -> None:
        self.services = services
        self.maintenance_key = maintenance_key
        self.on_restart = on_restart
        self.updates = updates
        """The update agent, for the service menu's bundle rollback (None: no updates)."""
        self.started_at = clock.now()
        self.visits = 0
        """Maintenance visits so far (never counted as residents' sessions)."""
        self.clock = clock
        self.attract = attract
        self.language = language
        self.inactivity = inactivity
        self.mode = mode
        self.result_hold = result_hold
        self.on_attract = on_attract
        self.on_session_end = on_session_end
        self.core = SessionCore(
            clock,
            language=language,
            warning_lead=warning_lead,
            on_start=self.begin,
            on_call_staff=self._call_staff,
            on_maintenance=self.maintain,
        )
        self.session: Session | None = None
        self.flow_id = ""
        self.where = Where.STARTING
        self.menu = Menu()
        self._usage: dict[str, int] = {}
        """Sessions per flow on this terminal, read from the journal once per menu."""
        self.sessions = 0
        """Sessions started so far."""
        self.last_outcome: Outcome | None = None
        self.outcomes: Counter[tuple[str, str]] = Counter()
        """Sessions ended so far by (flow, status); the menu alone counts as ("", status)."""
        self._start: asyncio.Future[str] | None = None
        self._early_start: str | None = None
        self._menu_changed: asyncio.Event | None = None
        self._staff_calls = 0
        self._sending: set[asyncio.Task[None]] = set()

    # -- device events (on the loop thread) ----------------------------------------------------

    def handle(self, event: DeviceEvent) -> None:
        """A device event: keys and the headset to the core; starters start; menus refresh.

        The maintenance key opens the service menu instead, between sessions only."""
        if event.type is EventType.KEY_PRESSED and self._is_maintenance_key(event):
            if self.where is Where.ATTRACT or self.maintenance_key is Key.SERVICE:
                self.maintain("key")
                return
        self.core.handle(event)
        reason = _STARTERS.get(event.type)
        if event.type is EventType.HEADSET and event.data.get("plugged"):
            reason = "headset"
        if reason is not None and self.where is Where.ATTRACT:
            self.begin(reason)
        elif event.type in _DEVICE_CHANGES and self._menu_changed is not None:
            # asked again only when what it offers changed: a blind resident would hear the
            # whole menu again at every status report of every device
            if build_menu(self.services.catalogue(), self.mode, self._usage) != self.menu:
                self._menu_changed.set()

    def _is_maintenance_key(self, event: DeviceEvent) -> bool:
        key = self.maintenance_key
        return key is not None and str(event.data.get("key", "")) == key.value

    def maintain(self, how: str) -> None:
        """A maintainer asks for the service menu: it opens from the attract screen only;
        during a resident's session the request is refused and journalled."""
        start = self._start
        if self.where is Where.ATTRACT and start is not None and not start.done():
            log.info("service menu asked for (%s)", how)
            start.set_result(MAINTENANCE + how)
            return
        if self.where is Where.MAINTENANCE:
            return
        log.warning("service menu refused (%s): not between sessions (%s)", how, self.where)
        session = self.session.id if self.session is not None else "-"
        self.services.journal.record(
            session, SERVICE_FLOW, "", "service.refused", {"how": how, "where": self.where.value}
        )

    def begin(self, reason: str = "touch") -> None:
        """Start a session (from the attract screen; kept if the kiosk is still starting)."""
        if self._start is not None and not self._start.done():
            self._start.set_result(reason)
        elif self.where is Where.STARTING:
            self._early_start = reason

    # -- the loop ------------------------------------------------------------------------------

    async def run(self) -> None:
        """Serve sessions until cancelled."""
        try:
            while True:
                await self.serve_one()
        finally:
            self.core.close()

    async def serve_one(self) -> Outcome | None:
        """Show the attract screen, then serve one session to its end."""
        reason = await self._attract()
        if reason.startswith(MAINTENANCE):
            await self._maintain(reason.removeprefix(MAINTENANCE))
            return None
        session = Session(self.clock, language=self.core.state.language)
        self.session, self.sessions, self.flow_id = session, self.sessions + 1, ""
        self.last_outcome = None
        log.info("session started (%s)", reason)
        self.core.open(session)
        try:
            flow_id = await self._choose_service(session)
            if flow_id is not None:
                self.flow_id, self.where = flow_id, Where.FLOW
                outcome = await self._run_flow(flow_id, session)
                self.last_outcome = outcome
                if outcome is not None and outcome.status in ("finished", "failed"):
                    await self._hold_result()
            return self.last_outcome
        finally:
            if not session.ended:
                session.end(None)
            outcome = self.last_outcome
            self.outcomes[(self.flow_id, outcome.status if outcome else "left")] += 1
            self.session, self.flow_id = None, ""
            self.core.end(self.language)
            if self.on_session_end is not None:
                self.on_session_end()
            log.info("session ended")

    async def _maintain(self, how: str) -> None:
        """One maintainers' visit to the service menu, then back to the attract screen."""
        from kiosk.maintenance.menu import ServiceMenu

        self.where = Where.MAINTENANCE
        self.visits += 1
        session = Session(self.clock, language=self.core.state.language)
        self.core.open(session)
        menu = ServiceMenu(
            self.services,
            self.core,
            self.clock,
            mode=self.mode,
            started_at=self.started_at,
            on_restart=self.on_restart,
            updates=self.updates,
        )
        try:
            why = await menu.run(session, how)
            log.info("service menu closed (%s)", why)
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug in a page must not stop the kiosk serving residents
            log.error("service menu stopped by an unexpected %s", type(exc).__name__)
            log.debug("service menu failure", exc_info=True)
        finally:
            if not session.ended:
                session.end(None)
            self.core.end(self.language)
            if self.on_session_end is not None:
                self.on_session_end()

    async def _attract(self) -> str:
        self.where = Where.ATTRACT
        self._start = asyncio.get_running_loop().create_future()
        if self._early_start is not None:
            log.info("start tapped while the kiosk was starting: starting now")
            self._start.set_result(self._early_start)
            self._early_start = None
        self.core.show_attract(self.attract)
        if self.on_attract is not None:
            self.on_attract()
        try:
            return await self._start
        finally:
            self._start = None

    async def _run_flow(self, flow_id: str, session: Session) -> Outcome | None:
        try:
            return await self.services.engine.run(flow_id, session, self.core)
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as exc:
            # A bug must not leave a traceback on screen: say sorry, then start over.
            log.error("flow %s stopped by an unexpected %s", flow_id, type(exc).__name__)
            log.debug("flow failure", exc_info=True)
            lang = self.core.state.language
            text = t("ui.error.unknown", lang) + " " + t("ui.error.next_default", lang)
            error = Prompt(
                flow=flow_id,
                step="",
                kind=PromptKind.ERROR,
                text=text,
                say=text,
                waits=False,
                error="unknown",
                error_text=text,
                language=lang,
            )
            await self.core.show(error)
            return Outcome("failed", "", error="unknown", flow=flow_id)

    # -- the service menu ----------------------------------------------------------------------

    async def _choose_service(self, session: Session) -> str | None:
        """Ask the menu until a service is chosen (its id), or cancel or inactivity (None)."""
        self.where = Where.MENU
        changed = self._menu_changed = asyncio.Event()
        self._usage = self.services.journal.usage()

        def build() -> Prompt:
            # built afresh each time: a device going down hides its services at once
            self.menu = build_menu(self.services.catalogue(), self.mode, self._usage)
            return self.menu.prompt(session.language, timeout=self.inactivity)

        def helped() -> Prompt:
            return self._help(session.language)

        try:
            while True:
                reply = await asking.ask(
                    self.core, build, session, self.clock, rebuild=changed, help_prompt=helped
                )
                if isinstance(reply, Answer):
                    if any(s.id == reply.value for s in self.menu.services):
                        return str(reply.value)
                elif reply is Event.TIMEOUT:
                    log.info("session timed out on the menu")
                    return None
                elif reply in (Event.CANCEL, Event.BACK):
                    return None
                # HELP, or an answer naming no service: the menu is asked (and spoken) again
        finally:
            self._menu_changed = None

    def _help(self, lang: str) -> Prompt:
        """Help on the menu: what to do, how the keys work, until the resident continues."""
        text = t("voice.help_generic", lang)
        label = t("common.continue", lang)
        return Prompt(
            flow=MENU_FLOW,
            step="help",
            kind=PromptKind.INFO,
            text=text,
            say=text,
            options=(PromptOption("continue", label, label, 1),),
            timeout=self.inactivity,
            hints=True,
            language=lang,
        )

    def _call_staff(self) -> None:
        """人工服务: journal where the resident was, and send the call to staff (nothing
        personal in either), through the outbox so that it is never lost."""
        session = self.session.id if self.session is not None else "-"
        view = self.core.state.view
        step = view.prompt.step if isinstance(view, PromptView) and self.where is Where.FLOW else ""
        self.services.journal.record(
            session, self.flow_id, step, "call_staff", {"screen": self.where.value}
        )
        self._staff_calls += 1
        call = {
            "terminal": self.services.config.terminal.id,
            "screen": self.where.value,
            "service": self.flow_id,
            "step": step,
            "language": self.core.state.language,
            "voice": self.core.state.voice,
        }
        key = f"{session}:staff:{self._staff_calls}"
        task = asyncio.ensure_future(self._send_staff_call(call, key))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send_staff_call(self, call: dict[str, Any], key: str) -> None:
        staff = self.services.config.staff
        try:
            sent = await self.services.outbox.submit(staff.backend, staff.path, call, key)
        except BackendError as exc:
            log.error("staff call not sent: %s", exc.key)
            self.core.show_notice("ui.notice.staff_call_unavailable")
            return
        log.info("staff call %s", sent.status)
        delivered = sent.status == "delivered"
        self.core.show_notice(
            "ui.notice.staff_called" if delivered else "ui.notice.staff_call_queued"
        )

    # -- the result ----------------------------------------------------------------------------

    async def _hold_result(self) -> None:
        """Keep the result (or error) on screen until "Done", a key, or `result_hold` seconds."""
        view = self.core.state.view
        if not isinstance(view, PromptView):
            return
        prompt = view.prompt
        if prompt.kind not in (PromptKind.RESULT, PromptKind.ERROR):
            return
        self.where = Where.RESULT
        waiting = msgspec.structs.replace(
            prompt, waits=True, timeout=None, can_go_back=False, hold=self.result_hold
        )
        asked = asyncio.ensure_future(self.core.ask(waiting))
        held: asyncio.Future[Any] = asyncio.ensure_future(_sleep(self.clock, self.result_hold))
        try:
            await asyncio.wait({asked, held}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            await cancel_and_wait((asked, held))


async def _sleep(clock: Clock, seconds: float) -> None:
    await clock.sleep(seconds)


__all__ = ["MAINTENANCE", "RESULT_HOLD", "SERVICE_FLOW", "SessionLoop", "Where"]
