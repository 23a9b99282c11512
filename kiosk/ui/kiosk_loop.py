"""The session loop of the touch-screen kiosk: attract → service menu → flow → result → attract.

A session starts on the start button, a keypad key, the voice key, a headset plug, a social
security card insertion or a code scan. The menu and every flow prompt are answered by touch or
by the keypad (and by voice in voice mode), whichever comes first. Any tap or key extends the
session; the timeout warning comes `warning_lead` seconds before the deadline; at the deadline
the session ends and its data is wiped. The end of every session resets the screen, the
language, elder mode, contrast and voice mode.

Everything here runs on the asyncio loop Kivy runs in (`app.async_run(async_lib="asyncio")`);
device events arrive through `handle`, scheduled onto that thread by Kivy's clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
from collections.abc import Callable
from typing import Any

from kiosk.app import KioskServices
from kiosk.flow.languages import LANGUAGES
from kiosk.flow.outcome import Outcome
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind, Renderer
from kiosk.flow.race import FirstAnswer
from kiosk.flow.services import Clock
from kiosk.flow.session import Session
from kiosk.i18n import t
from kiosk.ui.catalogue import AttractInfo
from kiosk.ui.menu import Menu, build_menu
from kiosk.ui.shell import KioskShell
from kiosk.ui.voice_path import VoicePath
from peripherals.events import DeviceEvent, EventType

log = logging.getLogger(__name__)

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


class _Recording:
    """A renderer that remembers the last prompt it presented (the result to hold on screen)."""

    def __init__(self, inner: Renderer) -> None:
        self.inner = inner
        self.last: Prompt | None = None

    async def ask(self, prompt: Prompt) -> Answer | Event:
        """Present and wait, remembering the prompt."""
        self.last = prompt
        return await self.inner.ask(prompt)

    async def show(self, prompt: Prompt) -> None:
        """Present without waiting, remembering the prompt."""
        self.last = prompt
        await self.inner.show(prompt)


class KioskLoop:
    """Runs one resident session after another on the kiosk's shell, engine and devices."""

    def __init__(
        self,
        services: KioskServices,
        shell: KioskShell,
        touch: Renderer,
        voice: VoicePath,
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
    ) -> None:
        self.services = services
        self.shell = shell
        self.voice = voice
        self.clock = clock
        self.attract = attract
        self.language = language
        self.inactivity = inactivity
        self.warning_lead = warning_lead
        self.mode = mode
        self.result_hold = result_hold
        self.on_attract = on_attract
        self.on_session_end = on_session_end
        # One typed value and one focus per prompt, kept by the screen: keys show there, and
        # what was typed by touch is what the keypad's ENTER submits.
        voice.renderer.shared = shell
        self.renderer = _Recording(FirstAnswer([touch, voice.renderer]))
        self.session: Session | None = None
        self.flow_id = ""
        self.state = "starting"
        """`attract`, `menu`, `flow` or `result`: where the resident is."""
        self.menu = Menu()
        self.sessions = 0
        """Sessions started so far."""
        self.last_outcome: Outcome | None = None
        self._start: asyncio.Future[str] | None = None

    # Callbacks from the app (Kivy thread = the loop thread) ------------------------------------

    def on_activity(self) -> None:
        """A tap anywhere: the resident is still there."""
        if self.session is not None and not self.session.ended:
            self.session.touch()

    def on_language(self, lang: str) -> None:
        """The language button: the session (and the prompt on screen) switch language."""
        if self.session is not None and not self.session.ended:
            self.session.set_language(lang)

    def on_look(self, elder: bool, high_contrast: bool) -> None:
        """Elder mode or high contrast switched (reset by the shell when the session ends)."""
        log.info("look changed: elder=%s high_contrast=%s", elder, high_contrast)
        self.on_activity()

    def call_staff(self) -> None:
        """人工服务: journal it (where the resident was, nothing personal)."""
        session = self.session.id if self.session is not None else "-"
        step = self.renderer.last.step if self.renderer.last is not None else ""
        try:
            self.services.journal.record(
                session,
                self.flow_id,
                step if self.state == "flow" else "",
                "call_staff",
                {"screen": self.state},
            )
        except Exception as exc:  # the notice must appear even if the journal is unwell
            log.error("could not journal a staff call: %s", type(exc).__name__)
        self.on_activity()

    def handle(self, event: DeviceEvent) -> None:
        """A device event, on the loop thread: keys and headset to voice mode, starters start."""
        if event.type in (EventType.KEY_PRESSED, EventType.HEADSET):
            self.voice.mode.handle(event)
            if event.type is EventType.KEY_PRESSED:
                self.on_activity()
                self.shell.note_keypad()
        reason = _STARTERS.get(event.type)
        if event.type is EventType.HEADSET and event.data.get("plugged"):
            reason = "headset"
        if reason is not None and self.state == "attract":
            self.begin(reason)
        elif event.type in _DEVICE_CHANGES and self.state == "menu":
            self._show_menu()

    def begin(self, reason: str = "touch") -> None:
        """Start a session (from the attract screen only)."""
        if self._start is not None and not self._start.done():
            self._start.set_result(reason)

    # The loop ----------------------------------------------------------------------------------

    async def run(self) -> None:
        """Serve sessions until cancelled."""
        while True:
            await self.serve_one()

    async def serve_one(self) -> Outcome | None:
        """Show the attract screen, then serve one session to its end."""
        reason = await self._attract()
        session = Session(self.clock, language=self.shell.language)
        self.session, self.sessions, self.flow_id = session, self.sessions + 1, ""
        self.last_outcome = None
        self.renderer.last = None
        log.info("session started (%s)", reason)
        self.shell.watch_deadline(
            self._remaining, self._more_time, self.warning_lead, on_warning=self._speak_warning
        )
        try:
            flow_id = await self._choose_service(session)
            if flow_id is not None:
                self.flow_id, self.state = flow_id, "flow"
                outcome = await self._run_flow(flow_id, session)
                self.last_outcome = outcome
                self.shell.stop_watching()
                if outcome is not None and outcome.status in ("finished", "failed"):
                    await self._hold_result()
            return self.last_outcome
        finally:
            if not session.ended:
                session.end(None)
            self.session, self.flow_id = None, ""
            self.shell.stop_watching()
            self.voice.mode.end()
            if self.on_session_end is not None:
                self.on_session_end()
            log.info("session ended")

    def _speak_warning(self, seconds_left: float) -> None:
        """In voice mode the inactivity warning is spoken too; any key then gives more time."""
        session = self.session
        if session is None or not self.voice.mode.active:
            return
        text = t("voice.timeout_warning", session.language, seconds=math.ceil(seconds_left))
        self.voice.output.stop()
        self.voice.output.speak(text, session.language)

    async def _attract(self) -> str:
        self.state = "attract"
        self.renderer.last = None
        self.shell.reset(self.language)
        self._start = asyncio.get_running_loop().create_future()
        self.shell.show_attract(self.attract, on_start=lambda: self.begin("touch"))
        if self.on_attract is not None:
            self.on_attract()
        try:
            return await self._start
        finally:
            self._start = None

    async def _run_flow(self, flow_id: str, session: Session) -> Outcome | None:
        try:
            return await self.services.engine.run(flow_id, session, self.renderer)
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as exc:
            # A bug must not leave a traceback on screen: say sorry, then start over.
            log.error("flow %s stopped by an unexpected %s", flow_id, type(exc).__name__)
            log.debug("flow failure", exc_info=True)
            lang = self.shell.language
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
            await self.renderer.show(error)
            return Outcome("failed", "", error="unknown", flow=flow_id)

    # The service menu ----------------------------------------------------------------------------

    def _show_menu(self) -> None:
        self.menu = build_menu(self.services.catalogue(), self.mode)
        self.shell.show_catalogue(
            self.menu.categories,
            self.menu.services,
            on_choose=self._chosen,
            on_cancel=lambda: self._chosen(None),
        )

    def _chosen(self, service: str | None) -> None:
        choice = self._choice
        if choice is not None and not choice.done():
            choice.set_result(service)

    _choice: asyncio.Future[str | None] | None = None

    async def _choose_service(self, session: Session) -> str | None:
        """The menu until a service is chosen (its id), or cancel or inactivity (None)."""
        self.state = "menu"
        loop = asyncio.get_running_loop()
        choice: asyncio.Future[str | None] = loop.create_future()
        self._choice = choice
        session.timeout = self.inactivity
        session.touch()
        self._show_menu()
        try:
            while not choice.done():
                changed = asyncio.Event()
                unsubscribe = session.subscribe(_language_listener(changed))
                keypad = asyncio.ensure_future(
                    self.voice.renderer.ask(self.menu.prompt(session.language))
                )
                others: set[asyncio.Future[Any]] = {
                    keypad,
                    asyncio.ensure_future(self._deadline(session)),
                    asyncio.ensure_future(changed.wait()),
                }
                try:
                    waiting: set[asyncio.Future[Any]] = {choice, *others}
                    await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    unsubscribe()
                    for task in others:
                        task.cancel()
                    for task in others:
                        with contextlib.suppress(asyncio.CancelledError):
                            await task
                if choice.done():
                    break
                if keypad.done() and not keypad.cancelled():
                    self._keypad_menu_answer(keypad.result())
                elif session.remaining() == 0:
                    log.info("session timed out on the menu")
                    self._chosen(None)
            return choice.result()
        finally:
            session.timeout = None
            self._choice = None

    def _keypad_menu_answer(self, reply: Answer | Event) -> None:
        if isinstance(reply, Answer):
            if any(s.id == reply.value for s in self.menu.services):
                self._chosen(str(reply.value))
        elif reply in (Event.CANCEL, Event.BACK):
            self._chosen(None)
        # HELP: the menu is asked (and, in voice mode, spoken) again

    async def _deadline(self, session: Session) -> None:
        while True:
            deadline = session.deadline
            if deadline is None:
                return
            remaining = deadline - self.clock.now()
            if remaining <= 0:
                return
            await self.clock.sleep(remaining)

    def _remaining(self) -> float:
        session = self.session
        left = session.remaining() if session is not None else None
        return math.inf if left is None else left

    def _more_time(self) -> None:
        if self.session is not None:
            log.info("resident asked for more time")
            self.session.touch()

    # The result --------------------------------------------------------------------------------

    async def _hold_result(self) -> None:
        """Keep the result (or error) on screen until "Done", a key, or `result_hold` seconds."""
        prompt = self.renderer.last
        if prompt is None or prompt.kind not in (PromptKind.RESULT, PromptKind.ERROR):
            return
        self.state = "result"
        waiting = dataclasses.replace(prompt, waits=True, timeout=None, can_go_back=False)
        asked = asyncio.ensure_future(self.renderer.ask(waiting))
        held: asyncio.Future[Any] = asyncio.ensure_future(_sleep(self.clock, self.result_hold))
        try:
            await asyncio.wait({asked, held}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (asked, held):
                task.cancel()
            for task in (asked, held):
                with contextlib.suppress(asyncio.CancelledError):
                    await task


def _language_listener(changed: asyncio.Event) -> Callable[[str], None]:
    def listener(what: str) -> None:
        if what == "language":
            changed.set()

    return listener


async def _sleep(clock: Clock, seconds: float) -> None:
    await clock.sleep(seconds)


__all__ = ["RESULT_HOLD", "KioskLoop"]
