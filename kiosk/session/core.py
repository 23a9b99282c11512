"""`SessionCore`: one resident's session as every renderer sees it, and the one door for input.

The engine (and the session loop, for the service menu) asks the core like any `Renderer`:
`ask(prompt)` puts the prompt on screen and waits for the first answer from any sense, `show`
presents one that does not wait. Renderers are told every change of the typed `SessionState`
and draw it (touch) or say it (voice); they report taps, tactile keys and recognised speech
back through the `SessionInputs` methods. So the keypad map, the answer in progress (typed
text, focus, a voice answer awaiting confirmation), the input rules, voice mode and the
inactivity warning each live here once, whichever sense the resident uses.

Everything runs on the asyncio loop's thread (the one Kivy runs in on the kiosk).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from typing import Any

import msgspec

from kiosk.flow.inputs import InputType, validate
from kiosk.flow.languages import LANGUAGES
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind
from kiosk.flow.services import Clock
from kiosk.flow.session import Session
from kiosk.session.inactivity import InactivityWatch, check_lead
from kiosk.session.keypad import (
    BAR_KEYS,
    Action,
    KeyResult,
    KeyState,
    press,
    press_confirming,
)
from kiosk.session.renderers import SessionRenderer
from kiosk.session.speech import (
    Means,
    commands,
    grammar,
    meaning_of,
    phrases,
    readback,
    typed_from_speech,
)
from kiosk.session.state import (
    AttractInfo,
    AttractView,
    BlankView,
    Change,
    Draft,
    Extended,
    Feedback,
    Heard,
    HeardOutcome,
    PendingAnswer,
    Pressed,
    PromptView,
    Refused,
    SessionState,
)
from peripherals.events import DeviceEvent, EventType
from peripherals.keypad.keys import Key
from peripherals.recognizer.base import Recognition
from peripherals.recognizer.matching import normalise

log = logging.getLogger(__name__)

_TYPING = (PromptKind.INPUT, PromptKind.DEVICE_WAIT)
_CONFIRMED_BY_VOICE = (PromptKind.CONFIRM, PromptKind.CONSENT)


class SessionCore:
    """The state renderers draw, the `Renderer` the engine asks, and `SessionInputs`.

    `on_start(reason)` is called when the resident starts a session from the attract screen,
    `on_call_staff()` when they call staff, `on_maintenance(how)` when a maintainer asks for
    the service menu; `warning_lead` is how long before the inactivity
    deadline the warning goes up.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        language: str = LANGUAGES[0],
        warning_lead: float = 30.0,
        on_start: Callable[[str], None] | None = None,
        on_call_staff: Callable[[], None] | None = None,
        on_maintenance: Callable[[str], None] | None = None,
    ) -> None:
        self.clock = clock
        self.on_maintenance = on_maintenance
        self.warning_lead = check_lead(warning_lead)
        self.on_start = on_start
        self.on_call_staff = on_call_staff
        self.state = SessionState(language=language)
        self.session: Session | None = None
        self._renderers: list[SessionRenderer] = []
        self._answer: asyncio.Future[Answer | Event] | None = None
        self._inactivity: InactivityWatch | None = None

    # -- renderers -------------------------------------------------------------------------

    def attach(self, renderer: SessionRenderer) -> None:
        """Add a renderer; it is shown the current state at once."""
        self._renderers.append(renderer)
        self._tell(renderer, self.state, _EVERYTHING)

    def detach(self, renderer: SessionRenderer) -> None:
        """Remove a renderer (it is closed)."""
        if renderer in self._renderers:
            self._renderers.remove(renderer)
            renderer.close()

    def close(self) -> None:
        """Close every renderer and stop watching the deadline."""
        self._stop_watching()
        for renderer in list(self._renderers):
            self.detach(renderer)

    def _update(self, what: Change, **changes: Any) -> None:
        self.state = dataclasses.replace(self.state, **changes)
        for renderer in list(self._renderers):
            self._tell(renderer, self.state, what)

    @staticmethod
    def _tell(renderer: SessionRenderer, state: SessionState, what: Change) -> None:
        try:
            renderer.changed(state, what)
        except Exception:  # one broken renderer must not take the other senses down
            log.exception("%s could not present a change", type(renderer).__name__)

    def _acknowledge(self, feedback: Feedback) -> None:
        for renderer in list(self._renderers):
            try:
                renderer.feedback(feedback)
            except Exception:
                log.exception("%s could not acknowledge input", type(renderer).__name__)

    # -- the Renderer the engine asks ------------------------------------------------------

    async def ask(self, prompt: Prompt) -> Answer | Event:
        """Put `prompt` on screen and return the first answer or event from any sense.

        The same question asked again (a language switch, help) keeps what was typed.
        """
        old = self.state.view
        draft = Draft()
        if isinstance(old, PromptView) and old.same_question(prompt):
            draft = dataclasses.replace(old.draft, pending=None)
        future: asyncio.Future[Answer | Event] = asyncio.get_running_loop().create_future()
        self._answer = future
        self._show(PromptView(prompt, draft, waiting=True))
        try:
            return await future
        finally:
            if self._answer is future:
                self._answer = None
            view = self.state.view
            if isinstance(view, PromptView) and view.prompt is prompt and view.waiting:
                self._update(Change.WAITING, view=dataclasses.replace(view, waiting=False))
            # whatever a renderer still hears of this question must not answer the next one
            await self._released()

    async def _released(self) -> None:
        # One after the other, not gathered: most let go at once, and a coroutine that does not
        # suspend costs no turn of the loop (each turn can wait behind a frame being drawn).
        for renderer in list(self._renderers):
            try:
                await renderer.released()
            except Exception as exc:
                log.error("a renderer failed letting a prompt go: %s", type(exc).__name__)

    async def show(self, prompt: Prompt) -> None:
        """Present a prompt that does not wait; return once every renderer has presented it."""
        prompt = msgspec.structs.replace(prompt, waits=False)
        self._show(PromptView(prompt, Draft(), waiting=False))
        for renderer in list(self._renderers):  # in turn: only the voice ever takes its time
            try:
                await renderer.settle(prompt)
            except Exception as exc:
                log.error("a renderer failed presenting a prompt: %s", type(exc).__name__)

    def _show(self, view: PromptView) -> None:
        what = Change.VIEW
        changes: dict[str, Any] = {"view": view}
        language = view.prompt.language
        if language in LANGUAGES and language != self.state.language:
            what |= Change.LANGUAGE
            changes["language"] = language
        self._update(what, **changes)

    def show_attract(self, info: AttractInfo) -> None:
        """Show the attract screen (between sessions)."""
        self._update(Change.VIEW, view=AttractView(info))

    # -- sessions --------------------------------------------------------------------------

    def open(self, session: Session) -> None:
        """A resident's session begins: activity and the deadline are watched from now on."""
        self._stop_watching()
        self.session = session
        self._inactivity = InactivityWatch(session, self.clock, self.warning_lead, self._warn)
        what = Change.VIEW
        if session.language != self.state.language:
            what |= Change.LANGUAGE
        self._update(what, view=BlankView(), in_session=True, language=session.language)

    def end(self, language: str = LANGUAGES[0]) -> None:
        """The session is over: everything it changed goes back (voice mode, look, language)."""
        self._stop_watching()
        self.session = None
        if self._answer is not None and not self._answer.done():
            self._answer.cancel()
        self._answer = None
        if self.state.voice:
            log.info("voice mode ended")
        self._update(_EVERYTHING, **_fresh(language, private=self.state.private))

    def _stop_watching(self) -> None:
        if self._inactivity is not None:
            self._inactivity.stop()
            self._inactivity = None

    def _warn(self, seconds_left: float | None) -> None:
        self._update(Change.WARNING, warning=seconds_left)

    def remaining(self) -> float | None:
        """Seconds before the waiting prompt times out (None when nothing waits)."""
        return self.session.remaining() if self.session is not None else None

    # -- inputs: the screen ----------------------------------------------------------------

    def start(self, reason: str) -> None:
        """Start a session from the attract screen."""
        if self.on_start is not None:
            self.on_start(reason)

    def maintenance(self, how: str) -> None:
        """The service menu was asked for (the session loop decides whether it opens)."""
        if self.on_maintenance is not None:
            self.on_maintenance(how)

    def answer(self, value: Any, source: str = "touch") -> None:
        """Answer the waiting prompt; typed input must pass its rules first."""
        view = self._waiting()
        if view is None:
            log.debug("an answer with no question waiting ignored")
            return
        if view.prompt.kind in _TYPING:
            self._submit(view, str(value), source)
        else:
            self._resolve(Answer(value, source=source))

    def edit(self, typed: str) -> None:
        """The typed text changed on screen."""
        view = self._waiting()
        if view is None or view.prompt.kind not in _TYPING:
            return
        self._set_draft(view, dataclasses.replace(view.draft, typed=typed, problem=None))

    def focus(self, index: int | None) -> None:
        """Move the keypad's focus (a tapped menu tab takes it away)."""
        view = self._waiting()
        if view is None:
            return
        if index is not None and not 0 <= index < len(view.prompt.options):
            raise IndexError(f"no option {index} on {view.prompt.step}")
        self._set_draft(view, dataclasses.replace(view.draft, focus=index))

    def event(self, event: Event) -> None:
        """Back, cancel or help: answers the waiting prompt; help with none shows a notice."""
        if self._waiting() is not None:
            self._resolve(event)
        elif event is Event.HELP:
            self._update(Change.NOTICE, notice="ui.notice.help")

    def set_language(self, language: str) -> None:
        """Switch language; a prompt waiting in a session is asked again in it."""
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        if language == self.state.language:
            return
        session = self.session
        if session is not None and not session.ended and self._waiting() is not None:
            # The prompt is built again in the new language and asked: one redraw, not two.
            self.state = dataclasses.replace(self.state, language=language)
            session.set_language(language)
            return
        if session is not None and not session.ended:
            session.set_language(language)
        self._update(Change.LANGUAGE, language=language)

    def toggle_elder(self) -> None:
        """Elder mode (适老模式) on or off."""
        log.info("elder mode %s", "off" if self.state.elder else "on")
        self.activity()
        self._update(Change.LOOK, elder=not self.state.elder)

    def toggle_contrast(self) -> None:
        """High contrast on or off."""
        log.info("high contrast %s", "off" if self.state.high_contrast else "on")
        self.activity()
        self._update(Change.LOOK, high_contrast=not self.state.high_contrast)

    def call_staff(self) -> None:
        """人工服务: the session loop sends the call; the resident is told it is on its way
        (`show_notice` then says whether it arrived)."""
        log.info("resident called staff")
        self.activity()
        self._update(Change.NOTICE, notice="ui.notice.staff_calling")
        if self.on_call_staff is not None:
            try:
                self.on_call_staff()
            except Exception as exc:  # the resident must still be told something true
                log.error("calling staff failed: %s", type(exc).__name__)
                self.show_notice("ui.notice.staff_call_unavailable")

    def show_notice(self, key: str) -> None:
        """Put the notice `key` (a `ui.notice.*` text) on screen, and say it in voice mode."""
        self._update(Change.NOTICE, notice=key)

    def close_notice(self) -> None:
        """The notice card was dismissed."""
        self._update(Change.NOTICE, notice=None)

    def more_time(self) -> None:
        """More time after the inactivity warning."""
        if self.session is not None:
            log.info("resident asked for more time")
            self.session.touch()
            self._acknowledge(Extended())

    def speaking(self, on: bool) -> None:
        """A question is being read out (`on`) or has been: listening is not inactivity."""
        session = self.session
        if session is None or session.ended:
            return
        if on:
            session.hold()
        else:
            session.release()

    def activity(self) -> None:
        """The resident is still there: the inactivity deadline moves back."""
        if self.session is not None and not self.session.ended:
            self.session.touch()

    # -- inputs: the tactile keypad --------------------------------------------------------

    def key(self, key: Key) -> None:
        """A tactile key: what it means on the prompt on screen (`kiosk.session.keypad`).

        While the inactivity warning is up, a key only gives more time: "press any key to go
        on" must never also answer the question (ENTER would submit the review behind it). A
        notice card is closed by a key, which likewise answers nothing.
        """
        if self.state.warning is not None:
            self.more_time()
            return
        self.activity()
        if not self.state.keypad_used:
            self._update(Change.KEYPAD, keypad_used=True)
        if key is Key.VOICE and not self.state.voice:
            self.start_voice("key")  # the prompt is spoken from the start: nothing to repeat
            return
        view = self.state.view
        shown = view.prompt if isinstance(view, PromptView) else None
        bar = BAR_KEYS.get(key)
        if bar is not None:
            self._bar_key(bar)
            self._acknowledge(Pressed(key, KeyResult(bar, KeyState()), shown))
            return
        if self.state.notice is not None:
            # the notice card covers the question: a key closes it, as its OK button does
            self.close_notice()
            self._acknowledge(Pressed(key, None, shown))
            return
        if not isinstance(view, PromptView):
            self._acknowledge(Pressed(key, None, None))
            return
        prompt, draft = view.prompt, view.draft
        keys = KeyState(typed=draft.typed, focus=draft.focus)
        if not view.waiting:
            # a result being read out: only repeat and volume mean anything
            self._acknowledge(Pressed(key, press(prompt, keys, key), prompt))
            return
        pending = draft.pending
        result = press_confirming(keys, key) if pending is not None else press(prompt, keys, key)
        self._apply(view, result)
        self._acknowledge(Pressed(key, result, prompt, pending))
        self._act(view, result, pending)

    def _bar_key(self, action: Action) -> None:
        """A key doing what the screen's bar does."""
        if action is Action.LANGUAGE:
            language = self.state.language
            current = LANGUAGES.index(language) if language in LANGUAGES else 0
            self.set_language(LANGUAGES[(current + 1) % len(LANGUAGES)])
        elif action is Action.ELDER:
            self.toggle_elder()
        elif action is Action.CONTRAST:
            self.toggle_contrast()
        elif action is Action.STAFF:
            self.call_staff()

    def _apply(self, view: PromptView, result: KeyResult) -> None:
        """Keep what the key did to the answer in progress."""
        if result.action in (Action.TYPED, Action.DELETED):
            draft = dataclasses.replace(view.draft, typed=result.state.typed, problem=None)
            self._set_draft(view, draft)
        elif result.action is Action.FOCUS:
            self._set_draft(view, dataclasses.replace(view.draft, focus=result.state.focus))

    def _act(self, view: PromptView, result: KeyResult, pending: PendingAnswer | None) -> None:
        if result.action is Action.EVENT:
            self._resolve(result.value)
        elif result.action is Action.ANSWER and pending is not None:
            self._decide(view, pending, accepted=bool(result.value))
        elif result.action is Action.ANSWER and view.prompt.kind in _TYPING:
            self._submit(view, str(result.value), "keypad")
        elif result.action is Action.ANSWER:
            self._resolve(Answer(result.value, source="keypad"))

    # -- inputs: speech --------------------------------------------------------------------

    def heard(self, prompt: Prompt, heard: Recognition) -> None:
        """Speech recognised while `prompt` was asked (ignored once another prompt is up)."""
        view = self._waiting()
        if view is None or view.prompt is not prompt or not heard.text.strip():
            return
        self.activity()
        pending = view.draft.pending
        if pending is None and prompt.kind is PromptKind.INPUT:
            self._heard_input(view, heard)
            return
        meaning = meaning_of(heard, grammar(prompt, confirming=pending is not None))
        if meaning is None:
            self._acknowledge(Heard(prompt, HeardOutcome.NOT_UNDERSTOOD))
        elif meaning.kind is Means.EVENT:
            self._resolve(meaning.value)
        elif meaning.kind is Means.REPEAT:
            self._acknowledge(Heard(prompt, HeardOutcome.REPEAT))
        elif pending is not None:
            self._decide(view, pending, accepted=meaning.kind is Means.YES)
        elif prompt.kind in _CONFIRMED_BY_VOICE:
            # consenting and confirming are read back and confirmed before they count
            self._hold(view, PendingAnswer(meaning.value, meaning.label))
        else:
            self._resolve(Answer(meaning.value, source="voice"))

    def _heard_input(self, view: PromptView, heard: Recognition) -> None:
        prompt = view.prompt
        said = normalise(heard.text)
        for phrase, meaning in commands(prompt).items():
            if normalise(phrase) == said:
                if meaning.kind is Means.REPEAT:
                    self._acknowledge(Heard(prompt, HeardOutcome.REPEAT))
                else:
                    self._resolve(meaning.value)
                return
        for phrase, meaning in phrases(prompt).items():
            if normalise(phrase) == said:  # "三" picks the third common phrase
                self._hold(view, PendingAnswer(meaning.value, meaning.label))
                return
        input_type = prompt.input.input_type if prompt.input is not None else InputType.TEXT
        typed = typed_from_speech(heard.text, input_type)
        if not typed:
            self._acknowledge(Heard(prompt, HeardOutcome.NOT_UNDERSTOOD))
            return
        self._hold(view, PendingAnswer(typed, readback(prompt, typed, private=self.state.private)))

    def _hold(self, view: PromptView, pending: PendingAnswer) -> None:
        self._set_draft(view, dataclasses.replace(view.draft, pending=pending))
        self._acknowledge(Heard(view.prompt, HeardOutcome.CONFIRM, pending.said))

    def _decide(self, view: PromptView, pending: PendingAnswer, *, accepted: bool) -> None:
        """The resident confirmed (or rejected) an answer that was read back to them."""
        current = self._view_of(view)
        self._set_draft(current, dataclasses.replace(current.draft, pending=None))
        if not accepted:
            self._acknowledge(Heard(view.prompt, HeardOutcome.AGAIN))
        elif view.prompt.kind in _TYPING:
            self._submit(self._view_of(view), str(pending.value), "voice")
        else:
            self._resolve(Answer(pending.value, source="voice"))

    def handle(self, event: DeviceEvent) -> None:
        """A device event from the keypad or the headset (others are not the core's)."""
        if event.type is EventType.KEY_PRESSED:
            try:
                key = Key.parse(str(event.data.get("key", "")))
            except ValueError:
                log.warning("ignoring a press of an unknown key from %s", event.device)
                return
            self.key(key)
        elif event.type is EventType.HEADSET:
            self.headset(bool(event.data.get("plugged")))

    # -- voice mode and the headset --------------------------------------------------------

    def start_voice(self, reason: str) -> None:
        """Voice mode on (the VOICE key, a headset plugged in)."""
        if self.state.voice:
            return
        log.info("voice mode started (%s)", reason)
        self._update(Change.VOICE, voice=True)

    def headset(self, plugged: bool) -> None:
        """The headset was plugged in (voice mode starts, privately) or pulled out."""
        if plugged == self.state.private and (self.state.voice or not plugged):
            return
        self._update(Change.VOICE, private=plugged)
        if plugged:
            self.start_voice("headset")

    def headset_already_plugged(self) -> None:
        """The headset was in before the kiosk started: speech will be private, once asked for."""
        self._update(Change.VOICE, private=True)

    # -- helpers ---------------------------------------------------------------------------

    def _waiting(self) -> PromptView | None:
        view = self.state.view
        if isinstance(view, PromptView) and view.waiting and self._answer is not None:
            return view
        return None

    def _view_of(self, view: PromptView) -> PromptView:
        current = self.state.view
        return current if isinstance(current, PromptView) else view

    def _set_draft(self, view: PromptView, draft: Draft) -> None:
        current = self._view_of(view)
        if current.draft != draft:
            self._update(Change.DRAFT, view=dataclasses.replace(current, draft=draft))

    def _submit(self, view: PromptView, typed: str, source: str) -> None:
        """Answer with typed text once the prompt's own input rules accept it."""
        rules = view.prompt.input
        if rules is not None:
            problem = validate(rules, typed).error
            if problem is not None:
                current = self._view_of(view)
                self._set_draft(current, dataclasses.replace(current.draft, problem=problem))
                self._acknowledge(Refused(view.prompt, problem))
                return
        self._resolve(Answer(typed, source=source))

    def _resolve(self, reply: Answer | Event) -> bool:
        future = self._answer
        if future is None or future.done():
            return False
        future.set_result(reply)
        return True


_EVERYTHING = (
    Change.VIEW
    | Change.DRAFT
    | Change.WAITING
    | Change.LANGUAGE
    | Change.LOOK
    | Change.KEYPAD
    | Change.NOTICE
    | Change.WARNING
    | Change.VOICE
)


def _fresh(language: str, *, private: bool) -> dict[str, Any]:
    """The state a new resident finds: everything reset but the headset's plug."""
    fresh = SessionState(language=language, private=private)
    return {f.name: getattr(fresh, f.name) for f in dataclasses.fields(fresh)}
