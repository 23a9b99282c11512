"""The voice renderer: says the session's state and listens for answers, in voice mode.

It is one of the session's equal renderers (`kiosk.session.renderers.SessionRenderer`): told
each change of the `SessionState`, it speaks what `kiosk.voice.script.Narrator` composes for the
prompt on screen (the service's name as it begins, the key hints once a session and on request),
numbers rewritten for the ear (`kiosk.voice.speakable`), in the prompt's language (Chinese
names inside English speech in the Mandarin voice), on the headset when one is plugged in (personal
values then in full) and otherwise on the loudspeaker; it speaks sentence by sentence so the
first plays while the rest is synthesised. It acknowledges the resident's input (`Feedback`):
every key stops speech first, then the key is echoed (a beep for each key of a secret), the
focused option named, the volume or speed changed, a refused answer explained, a recognised
answer read back for confirmation. Outside voice mode it says nothing.

It listens with the prompt's own grammar (`kiosk.session.speech`) while a prompt waits (never
for a secret) and hands what it heard to the session, which decides what it means; a partial
result stops speech (barge-in). When the prompt is answered, by any sense, speech and
listening stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.flow.prompt import Prompt, PromptKind
from kiosk.i18n import t
from kiosk.session.keypad import Action, KeyResult
from kiosk.session.renderers import SessionInputs
from kiosk.session.speech import grammar, readback
from kiosk.session.state import (
    Change,
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
from kiosk.voice.output import SpeechOutput
from kiosk.voice.script import Narrator
from kiosk.voice.speakable import by_language, speakable
from peripherals.errors import PeripheralError
from peripherals.keypad.keys import Key
from peripherals.recognizer.base import Recognition, Recognizer
from peripherals.speaker.base import Route

log = logging.getLogger(__name__)

REPEAT_WINDOW = 2.0
"""Seconds within which a second REPEAT press asks for slower speech."""
SLOWER = -25
"""Words per minute taken off the rate by a quick second REPEAT."""
VOLUME_STEP = 0.1
"""Volume change per PLUS or MINUS press."""
RATE_STEP = 25
"""Words per minute per PLUS or MINUS press right after REPEAT (faster, slower)."""
LISTEN_WINDOW = 10.0
"""Seconds of one `listen` call; listening starts again after a silent window."""
STOP_WAIT = 2.0
"""Seconds to wait for the recogniser to stop listening after `cancel()`."""
KEEP_ALIVE = 1.0
"""Seconds of one wait for a question to be read out (the inactivity clock waits meanwhile)."""

_SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;])\s+")
_VOLUME = (Action.VOLUME_UP, Action.VOLUME_DOWN)
_LOOKS = (Action.ELDER, Action.CONTRAST)


def sentences(text: str) -> list[str]:
    """Split a script into sentences (kept with their punctuation) to synthesise one by one."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


@dataclass
class _Listening:
    """One prompt's listening: the task that listens, and the flag that abandons it."""

    prompt: Prompt
    task: asyncio.Task[None]
    stop: threading.Event


class VoiceRenderer:
    """Speech out, recognised speech in, for residents who cannot see the screen.

    `inputs` is where recognised speech goes (the `SessionCore`). `on_ask` is called with each
    waiting prompt once its speech is queued and listening has begun (tests drive with it).
    """

    name = "voice"

    def __init__(
        self,
        speaker: SpeechOutput,
        inputs: SessionInputs,
        recognizer: Recognizer | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_ask: Callable[[Prompt], None] | None = None,
        listen_window: float = LISTEN_WINDOW,
        by_sentence: bool = True,
    ) -> None:
        self.speaker = speaker
        self.inputs = inputs
        self.recognizer = recognizer
        self._clock = clock
        self.on_ask = on_ask
        self.listen_window = listen_window
        self.by_sentence = by_sentence
        self.state = SessionState()
        self._last_repeat: float | None = None
        self._listening: _Listening | None = None
        self._stopped: _Listening | None = None
        self._narrator = Narrator()
        self._script_parts: list[tuple[str, str]] = []
        """The pieces of the prompt's script as queued (text, language): a pause resumes them."""
        self._paused: list[tuple[str, str]] = []
        self._alive: asyncio.Task[None] | None = None
        self._holding = False
        """The last listening stopped: the next must not start before it has ended."""
        self._stoppers: set[asyncio.Task[None]] = set()
        self._cut = asyncio.Event()
        """Set when a key cuts short the speech of a prompt that does not wait."""

    # -- SessionRenderer -------------------------------------------------------------------

    def changed(self, state: SessionState, what: Change) -> None:
        """Say what changed: a new prompt, voice mode on or off, the inactivity warning."""
        old, self.state = self.state, state
        if Change.VOICE in what:
            self._voice_changed(old, state)
        if (old.in_session and not state.in_session) or (old.voice and not state.voice):
            self._reset()
        view = state.view
        if Change.VIEW in what:
            self._stop_listening()
            self._stop_keeping_alive()
            if isinstance(view, PromptView):
                self._present(view)
            else:
                self._stop_speech()
        elif Change.WAITING in what and isinstance(view, PromptView) and not view.waiting:
            # answered (by any sense): the question need not be heard to the end
            self._stop_keeping_alive()
            self._stop_speech()
            self._stop_listening()
        if Change.WARNING in what and state.warning is not None:
            self._warn(state)
        if Change.NOTICE in what and state.notice is not None and state.voice:
            self._stop_speech()
            lang = state.language
            self._say(_joined(lang, t(state.notice, lang), t("voice.notice_close", lang)))

    def feedback(self, feedback: Feedback) -> None:
        """Acknowledge a key, something heard, a refused answer, more time."""
        if isinstance(feedback, Extended):
            self._stop_speech()
            self._say(t("voice.keys.more_time", self.state.language))
        elif isinstance(feedback, Pressed):
            self._pressed(feedback)
        elif isinstance(feedback, Heard):
            self._heard(feedback)
        elif isinstance(feedback, Refused):
            lang = feedback.prompt.language
            self._say(t(f"errors.{feedback.problem}", lang))

    async def settle(self, prompt: Prompt) -> None:
        """Return once a result or error has been spoken to the end (or cut short by a key)."""
        if prompt.kind not in (PromptKind.RESULT, PromptKind.ERROR) or not self.state.voice:
            return
        while True:
            stop = threading.Event()
            idle = asyncio.ensure_future(asyncio.to_thread(_wait_idle, self.speaker, stop))
            cut = asyncio.ensure_future(self._cut.wait())
            try:
                await asyncio.wait({idle, cut}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stop.set()
                cut.cancel()
                await asyncio.wait({idle})
            if self._cut.is_set() or idle.result():
                self._cut.clear()
                return

    def close(self) -> None:
        """Stop speaking and listening."""
        self._stop_keeping_alive()
        self._stop_listening()
        self._stop_speech()

    # -- presenting ------------------------------------------------------------------------

    def _present(self, view: PromptView) -> None:
        self._cut.clear()
        self._stop_speech()
        self._say(self._narrator.say(view.prompt, private=self._private()), script=True)
        if view.waiting:
            self._keep_alive()
            self._listen(view.prompt)
            if self.on_ask is not None:
                self.on_ask(view.prompt)

    def _keep_alive(self) -> None:
        """While a question is being read out, the resident is listening, not idle."""
        self._stop_keeping_alive()
        if not self.state.voice:
            return
        self.inputs.speaking(True)  # at once: the clock must not run before the task does
        self._holding = True
        self._alive = asyncio.ensure_future(self._alive_while_speaking())

    async def _alive_while_speaking(self) -> None:
        while not await asyncio.to_thread(self.speaker.wait_idle, KEEP_ALIVE):
            pass
        self._let_go()  # the inactivity timeout counts from the end of the question

    def _let_go(self) -> None:
        if self._holding:
            self._holding = False
            self.inputs.speaking(False)

    def _stop_keeping_alive(self) -> None:
        alive, self._alive = self._alive, None
        if alive is not None and not alive.done():
            alive.cancel()
        self._let_go()

    def _warn(self, state: SessionState) -> None:
        """The inactivity warning: said in voice mode; a tone otherwise, for who cannot see it."""
        self._stop_keeping_alive()
        if not state.voice:
            try:
                self.speaker.tone(route=self._route())
            except PeripheralError as exc:
                log.warning("cannot beep: %s", exc.code)
            return
        self._stop_speech()
        seconds = math.ceil(state.warning or 0)
        self._say(t("voice.timeout_warning", state.language, seconds=seconds))

    def _voice_changed(self, old: SessionState, state: SessionState) -> None:
        if old.private and not state.private:
            # Whatever was being said privately must not continue on the loudspeaker.
            self._stop_speech()
        self._route_to(Route.HEADSET if state.private and state.voice else Route.LOUDSPEAKER)
        if state.voice and not old.voice:
            view = state.view
            if isinstance(view, PromptView):
                # the prompt on screen was shown to someone who cannot see it: say it now
                self._say(self._narrator.say(view.prompt, private=self._private()), script=True)

    def _reset(self) -> None:
        """The session is over: default volume, speed and route; silence."""
        self._stop_listening()
        self._last_repeat = None
        self._narrator.reset()
        try:
            self.speaker.reset()
        except PeripheralError as exc:
            log.warning("could not reset the speaker: %s", exc.code)

    # -- feedback --------------------------------------------------------------------------

    def _pressed(self, pressed: Pressed) -> None:
        was_speaking = not self.speaker.wait_idle(0)
        unsaid = self._unsaid()
        self._stop_speech()
        paused, self._paused = self._paused, unsaid if pressed.key is Key.VOICE else []
        result, prompt = pressed.result, pressed.prompt
        if result is not None and result.action in _LOOKS:
            on = self.state.elder if result.action is Action.ELDER else self.state.high_contrast
            key = f"voice.keys.{result.action.value}_{'on' if on else 'off'}"
            self._say(t(key, self.state.language))
            return
        if result is None or prompt is None:
            return
        if pressed.key is Key.VOICE and was_speaking:
            return  # paused, the rest kept; pressed again, it resumes
        if pressed.key is Key.VOICE and paused:
            self._resume(paused)
            return
        view = self.state.view
        if not (isinstance(view, PromptView) and view.waiting):
            # a result being read out: repeat and volume act, any other key cuts it short
            if result.action is Action.REPEAT or result.action in _VOLUME:
                self._on_key(prompt, result, pressed.pending)
            else:
                self._cut.set()
            return
        self._on_key(prompt, result, pressed.pending)

    def _on_key(self, prompt: Prompt, result: KeyResult, pending: PendingAnswer | None) -> None:
        lang = prompt.language
        action = result.action
        if action is Action.TYPED and prompt.input is not None and prompt.input.secret:
            self._tone()  # a secret is never spoken, not even its length: a beep per key
        elif action is Action.TYPED and result.option is not None:
            self._say(t("voice.keys.phrase", lang, phrase=result.option.say))
        elif action is Action.TYPED:
            self._say(self._echo(prompt, result.state.typed, result.char))
        elif action is Action.DELETED:
            text = t("voice.keys.deleted", lang, count=len(result.state.typed))
            self._say(text if result.state.typed else t("voice.keys.cleared", lang))
        elif action is Action.FOCUS and result.option is not None:
            option = result.option
            self._say(t("voice.option", lang, number=option.key, label=option.say))
        elif action is Action.FOCUS:
            self._say(t("voice.keys.focus_continue", lang))
        elif action is Action.REPEAT:
            self._repeat(prompt, pending)
        elif action in _VOLUME:
            self._volume(lang, up=action is Action.VOLUME_UP)
        elif action is Action.INVALID:
            self._say(t(result.reason, lang))

    def _volume(self, lang: str, *, up: bool) -> None:
        now = self._clock()
        if self._last_repeat is not None and now - self._last_repeat <= REPEAT_WINDOW:
            # REPEAT then +/-: the speed of speech rather than its volume.
            self._last_repeat = now  # so +/- can be pressed again to go on adjusting
            self.speaker.change_rate(RATE_STEP if up else -RATE_STEP)
            self._say(t("voice.keys.faster" if up else "voice.keys.slower", lang))
        else:
            volume = self.speaker.change_volume(VOLUME_STEP if up else -VOLUME_STEP)
            self._say(t("voice.keys.volume", lang, percent=round(volume * 100)))

    def _heard(self, heard: Heard) -> None:
        prompt, lang = heard.prompt, heard.prompt.language
        if heard.outcome is HeardOutcome.NOT_UNDERSTOOD:
            self._say(t("voice.heard.not_understood", lang))
        elif heard.outcome is HeardOutcome.CONFIRM:
            self._say(t("voice.heard.you_said", lang, answer=heard.said))
        elif heard.outcome is HeardOutcome.AGAIN:
            self._say(_joined(lang, t("voice.heard.again", lang), self._script(prompt)))
        elif heard.outcome is HeardOutcome.REPEAT:
            view = self.state.view
            pending = view.draft.pending if isinstance(view, PromptView) else None
            self._repeat(prompt, pending)

    def _repeat(self, prompt: Prompt, pending: PendingAnswer | None) -> None:
        now = self._clock()
        if self._last_repeat is not None and now - self._last_repeat <= REPEAT_WINDOW:
            self.speaker.change_rate(SLOWER)
            self._last_repeat = None  # a third press starts a new pair
        else:
            self._last_repeat = now
        if pending is not None:
            self._say(t("voice.heard.you_said", prompt.language, answer=pending.said))
            return
        self._say(self._script(prompt, again=True), script=True)
        typed = self._typed(prompt)
        if typed:
            # what was typed so far, to check it: in full on the headset, masked aloud
            said = readback(prompt, typed, private=self._private())
            self._say(t("voice.input.so_far", prompt.language, typed=said))

    def _typed(self, prompt: Prompt) -> str:
        """The text typed into `prompt` so far (never a secret's)."""
        view = self.state.view
        if not isinstance(view, PromptView) or view.prompt is not prompt:
            return ""
        if prompt.input is None or prompt.input.secret:
            return ""
        return str(view.draft.typed or "")

    def _echo(self, prompt: Prompt, typed: str, char: str) -> str:
        """How a typed character is echoed: personal data by count on the loudspeaker."""
        lang = prompt.language
        rules = prompt.input
        if rules is not None and rules.personal and not self._private() and len(typed) > 3:
            # Only the first three characters survive masking (mask_id, mask_phone).
            return t("voice.keys.typed_count", lang, count=len(typed))
        if char == "X":
            return t("voice.keys.letter_x", lang)
        if char == ".":
            return t("voice.keys.point", lang)
        return char

    # -- listening -------------------------------------------------------------------------

    def _listen(self, prompt: Prompt) -> None:
        if self.recognizer is None or (prompt.input is not None and prompt.input.secret):
            return
        self._stop_listening()
        stop = threading.Event()
        before = self._stopped
        task = asyncio.ensure_future(self._listen_loop(prompt, stop, before))
        self._listening = _Listening(prompt, task, stop)

    async def _listen_loop(
        self, prompt: Prompt, stop: threading.Event, before: _Listening | None
    ) -> None:
        """Listen again and again while `prompt` waits; what is heard goes to the session."""
        if before is not None:
            # the last prompt's listening must end first, or it could take this one's answer
            await asyncio.wait({before.task})
        recognizer = self.recognizer
        assert recognizer is not None
        speaker = self.speaker

        def barge_in(partial: str) -> None:
            if partial.strip() and not stop.is_set():
                speaker.stop()

        def listen(phrases: list[str]) -> Recognition | None:
            if stop.is_set():
                return None
            try:
                return recognizer.listen(phrases, self.listen_window, barge_in)
            except PeripheralError as exc:
                log.warning("speech recognition failed: %s", exc.code)
                return None

        while not stop.is_set():
            view = self.state.view
            confirming = isinstance(view, PromptView) and view.draft.pending is not None
            phrases = list(grammar(prompt, confirming=confirming))
            heard = await asyncio.to_thread(listen, phrases)
            if heard is None:  # stopped, or the recogniser failed: keys only from now on
                return
            if not stop.is_set():
                self.inputs.heard(prompt, heard)

    def _stop_listening(self) -> None:
        listening, self._listening = self._listening, None
        if listening is None:
            return
        self._stopped = listening
        listening.stop.set()
        recognizer = self.recognizer
        if recognizer is not None and not listening.task.done():
            stopper = asyncio.ensure_future(_cancel_until_stopped(recognizer, listening.task))
            self._stoppers.add(stopper)
            stopper.add_done_callback(self._stoppers.discard)

    async def released(self) -> None:
        """Return once the last prompt's listening has really ended (nothing heard late)."""
        await self.stopped()

    async def stopped(self) -> None:
        """Wait until no listening is going on (tests, and before the devices close)."""
        self._stop_listening()
        listening = self._stopped
        if listening is not None and not listening.task.done():
            await asyncio.wait({listening.task}, timeout=STOP_WAIT + 1)

    # -- speech ----------------------------------------------------------------------------

    def _private(self) -> bool:
        return self.state.private

    def _script(self, prompt: Prompt, *, again: bool = False) -> str:
        return self._narrator.say(prompt, private=self._private(), again=again)

    def _route(self) -> Route:
        return Route.HEADSET if self._private() else Route.LOUDSPEAKER

    def _route_to(self, route: Route) -> None:
        try:
            self.speaker.route = route
        except PeripheralError as exc:
            log.warning("cannot route speech: %s", exc.code)

    def _say(self, text: str, *, script: bool = False) -> None:
        """Queue speech after what is being said, sentence by sentence (voice mode only).

        `script` marks a prompt's own script: a pause keeps its unsaid rest to resume from.
        """
        if script:
            self._script_parts, self._paused = [], []
        if not self.state.voice or not text:
            return
        language = self.state.language
        view = self.state.view
        if isinstance(view, PromptView):
            language = view.prompt.language
        text = speakable(text, language)
        parts = sentences(text) if self.by_sentence else [text]
        route = self._route()
        try:
            for part in parts:
                for piece, piece_language in by_language(part, language):
                    self.speaker.speak(piece, piece_language, route=route)
                    if script:
                        self._script_parts.append((piece, piece_language))
        except PeripheralError as exc:
            log.warning("cannot speak: %s", exc.code)

    def _tone(self) -> None:
        if not self.state.voice:
            return
        try:
            self.speaker.tone(route=self._route())
        except PeripheralError as exc:
            log.warning("cannot beep: %s", exc.code)

    def _stop_speech(self) -> None:
        with contextlib.suppress(PeripheralError):
            self.speaker.stop()

    def _unsaid(self) -> list[tuple[str, str]]:
        """What of the prompt's script is still to be said: from the piece playing now."""
        now = self.speaker.playing
        if now is None:
            return []
        for index, (piece, language) in enumerate(self._script_parts):
            if (piece, language) == (now.text, now.language):
                return self._script_parts[index:]
        return []

    def _resume(self, rest: list[tuple[str, str]]) -> None:
        """Say the paused rest of the prompt's script, from the piece that was cut."""
        self._paused = []
        route = self._route()
        try:
            for piece, language in rest:
                self.speaker.speak(piece, language, route=route)
        except PeripheralError as exc:
            log.warning("cannot speak: %s", exc.code)


async def _cancel_until_stopped(recognizer: Recognizer, task: asyncio.Task[None]) -> None:
    """Cancel the recogniser until its `listen` has really returned (it may just be starting)."""
    deadline = time.monotonic() + STOP_WAIT
    while not task.done() and time.monotonic() < deadline:
        # `listen` clears the cancel flag when it starts: cancel until it has really ended.
        recognizer.cancel()
        await asyncio.wait({task}, timeout=0.05)
    if not task.done():
        log.warning("%s did not stop listening", recognizer.name)


def _joined(lang: str, *parts: str) -> str:
    """Sentences joined as the script joins them (no space in Chinese)."""
    return ("" if lang == "zh_CN" else " ").join(p for p in parts if p)


def _wait_idle(speaker: SpeechOutput, stop: threading.Event) -> bool:
    """Wait (on a worker thread) until the speaker is idle or `stop` is set."""
    while not stop.is_set():
        if speaker.wait_idle(0.05):
            return True
    return False
