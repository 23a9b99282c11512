"""The voice renderer: speaks each prompt and takes the answer from the keypad or from speech.

Speech is what `kiosk.voice.script.spoken` composes, in the prompt's language, on the headset
when one is plugged in (then personal values are spoken in full) and otherwise on the
loudspeaker. It is queued sentence by sentence so the first sentence plays while the rest is
still being synthesised. Any key stops current speech before it acts (`kiosk.voice.keys` says
what each key means); a partial speech recognition result stops it too (barge-in).

Speech recognition listens with the prompt's own grammar: the options' labels and numbers, the
yes/no words of confirm and consent prompts, and the commands back, cancel, repeat and help.
Input prompts listen free-form (numbers said digit by digit are typed); secret input is never
listened for. A confirm or consent answer, and typed input, given by voice is read back and
must be confirmed (1 / "yes") before it is returned: those are the answers that submit, pay or
hand over personal data.

When `FirstAnswer` cancels `ask` (the resident tapped the screen), speech and listening stop
before the cancellation goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from kiosk.flow.inputs import POINT, TYPING, InputType, X
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind
from kiosk.i18n import t
from kiosk.privacy.masking import mask_id, mask_phone
from kiosk.voice.keys import Action, KeyResult, KeyState, SharedKeys, press, press_confirming
from kiosk.voice.output import SpeechOutput
from kiosk.voice.script import spoken
from peripherals.errors import PeripheralError
from peripherals.keypad.keys import Key
from peripherals.recognizer.base import Recognition, Recognizer
from peripherals.recognizer.matching import normalise
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

_SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;])\s+")
_SPOKEN_DIGITS = {
    **{str(d): str(d) for d in range(10)},
    **dict.fromkeys("零〇洞", "0"),
    **dict.fromkeys("一幺", "1"),
    **dict.fromkeys("二两", "2"),
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_SPOKEN_X = frozenset({"x", "叉", "艾克斯"})
_SPOKEN_POINT = frozenset({".", "点", "point", "dot"})
_WORD = re.compile(r"[a-z]+|艾克斯|\S", re.IGNORECASE)


class KeySource(Protocol):
    """Where key presses come from (`kiosk.voice.mode.KeyEvents`)."""

    async def get(self) -> Key:
        """The next key pressed."""
        ...

    def clear(self) -> None:
        """Forget keys not read yet."""
        ...


@dataclass(frozen=True)
class Meaning:
    """What a recognised phrase means on a prompt."""

    kind: str
    """`answer` (with `value` and `label`), `event`, `yes`, `no` or `repeat`."""
    value: Any = None
    label: str = ""


@dataclass
class _Pending:
    """A voice answer waiting to be confirmed."""

    value: Any
    said: str


def sentences(text: str) -> list[str]:
    """Split a script into sentences (kept with their punctuation) to synthesise one by one."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def words(key: str, lang: str) -> list[str]:
    """The synonyms of a `voice.words.*` entry in `lang`."""
    return [w.strip() for w in t(f"voice.words.{key}", lang).split("|") if w.strip()]


def grammar(prompt: Prompt, *, confirming: bool = False) -> dict[str, Meaning]:
    """The phrases to listen for on `prompt` and what each means (first meaning wins).

    Empty for input prompts: they are recognised free-form, then checked for commands.
    """
    lang = prompt.language
    meanings: dict[str, Meaning] = {}

    def add(phrase: str, meaning: Meaning) -> None:
        if normalise(phrase) and phrase not in meanings:
            meanings[phrase] = meaning

    if confirming:
        for word in words("yes", lang):
            add(word, Meaning("yes"))
        for word in words("no", lang):
            add(word, Meaning("no"))
    elif prompt.kind not in (PromptKind.INPUT,):
        numbers = words("numbers", lang)
        for option in prompt.options:
            meaning = Meaning("answer", option.value, option.say or option.label)
            add(option.say or option.label, meaning)
            add(option.label, meaning)
            add(str(option.key), meaning)
            if 0 < option.key <= len(numbers):
                add(numbers[option.key - 1], meaning)
        if prompt.kind in (PromptKind.CONFIRM, PromptKind.CONSENT) and len(prompt.options) >= 2:
            yes, no = prompt.options[0], prompt.options[1]
            for word in words("yes", lang):
                add(word, Meaning("answer", yes.value, yes.say or yes.label))
            for word in words("no", lang):
                add(word, Meaning("answer", no.value, no.say or no.label))
    else:
        return {}
    _add_commands(prompt, add)
    return meanings


def _add_commands(prompt: Prompt, add: Callable[[str, Meaning], None]) -> None:
    lang = prompt.language
    if prompt.can_go_back:
        for word in words("back", lang):
            add(word, Meaning("event", Event.BACK))
    for word in words("cancel", lang):
        add(word, Meaning("event", Event.CANCEL))
    for word in words("help", lang):
        add(word, Meaning("event", Event.HELP))
    for word in words("repeat", lang):
        add(word, Meaning("repeat"))


def meaning_of(heard: Recognition, meanings: dict[str, Meaning]) -> Meaning | None:
    """The meaning of what was heard: the recogniser's matched phrase, else the longest phrase
    inside the text (so "我不同意" means 不同意, not 同意)."""
    if heard.phrase is not None and heard.phrase in meanings:
        return meanings[heard.phrase]
    said = normalise(heard.text)
    if not said:
        return None
    inside = [p for p in meanings if normalise(p) and normalise(p) in said]
    if not inside:
        return None
    return meanings[max(inside, key=lambda p: len(normalise(p)))]


def typed_from_speech(text: str, input_type: InputType | str) -> str:
    """What saying `text` types into an input of `input_type` (numbers digit by digit)."""
    kind = TYPING[InputType(input_type)]
    if not kind.numeric:
        return " ".join(text.split())
    typed = []
    for token in _WORD.findall(text.lower()):
        if token in _SPOKEN_DIGITS:
            typed.append(_SPOKEN_DIGITS[token])
        elif token in _SPOKEN_X and kind.extra_key == X:
            typed.append(X)
        elif token in _SPOKEN_POINT and kind.extra_key == POINT:
            typed.append(POINT)
        elif token.isdigit():
            typed.append(token)
    return "".join(typed)


class VoiceRenderer:
    """A `Renderer` for residents who cannot see the screen: speech out, keys and speech in.

    `private()` says whether speech is heard only by the resident (a headset is plugged in);
    by default, whether the speaker is routed to the headset. `on_ask` is called with each
    prompt once it has been spoken and input is awaited (tests drive the resident with it).
    `shared` (settable later) holds the typed text and focus where a screen shows them: each
    key then starts from what the screen shows and the screen mirrors what the key did.
    """

    def __init__(
        self,
        speaker: SpeechOutput,
        keypad_events: KeySource,
        recognizer: Recognizer | None = None,
        *,
        private: Callable[[], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_ask: Callable[[Prompt], None] | None = None,
        listen_window: float = LISTEN_WINDOW,
        by_sentence: bool = True,
        shared: SharedKeys | None = None,
    ) -> None:
        self.speaker = speaker
        self.shared = shared
        self.keys = keypad_events
        self.recognizer = recognizer
        self._private = private or (lambda: speaker.route is Route.HEADSET)
        self._clock = clock
        self.on_ask = on_ask
        self.listen_window = listen_window
        self.by_sentence = by_sentence
        self._last_repeat: float | None = None

    # Renderer -------------------------------------------------------------------------------

    async def show(self, prompt: Prompt) -> None:
        """Speak a prompt that does not wait; results and errors are spoken to the end."""
        self._say(spoken(prompt, private=self._private()), prompt.language)
        if prompt.kind in (PromptKind.RESULT, PromptKind.ERROR):
            await self._until_spoken(prompt)

    async def ask(self, prompt: Prompt) -> Answer | Event:
        """Speak the prompt, then return the first answer given by key or by voice."""
        self.keys.clear()
        self._say(spoken(prompt, private=self._private()), prompt.language)
        if self.on_ask is not None:
            self.on_ask(prompt)
        state = KeyState()
        pending: _Pending | None = None
        key_task: asyncio.Future[Key] | None = None
        listening: _Listening | None = self._listen(prompt, confirming=False)
        try:
            while True:
                if key_task is None:
                    key_task = asyncio.ensure_future(self.keys.get())
                waiting: set[asyncio.Future[Any]] = {key_task}
                if listening is not None:
                    waiting.add(listening.task)
                done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                if key_task in done:
                    key = key_task.result()
                    key_task = None
                    was_speaking = not self.speaker.wait_idle(0)
                    self._stop_speech()
                    if key is Key.VOICE and was_speaking:
                        continue  # the voice key pauses speech; pressed again, it repeats
                    if pending is not None:
                        result = press_confirming(state, key)
                    else:
                        state = self._shown_state(prompt, state)
                        result = press(prompt, state, key)
                        self._mirror(prompt, result)
                    state = result.state
                    reply, pending = self._on_key(prompt, result, pending)
                    if reply is not None:
                        return reply
                    continue
                assert listening is not None
                heard = listening.task.result()
                if heard is None:  # the recogniser failed: keys only from now on
                    listening = None
                    continue
                reply, pending = self._on_speech(prompt, heard, pending)
                if reply is not None:
                    return reply
                listening = self._listen(prompt, confirming=pending is not None)
        finally:
            if key_task is not None:
                key_task.cancel()
            self._stop_speech()
            if listening is not None:
                await self._stop_listening(listening)

    # Keys -----------------------------------------------------------------------------------

    def _shown_state(self, prompt: Prompt, state: KeyState) -> KeyState:
        """What the screen shows (typed by touch, too), else what the keys did so far."""
        if self.shared is None:
            return state
        try:
            shown = self.shared.load_keys(prompt)
        except Exception as exc:  # the keypad must keep working whatever the screen does
            log.error("could not read the screen's key state: %s", type(exc).__name__)
            return state
        return state if shown is None else shown

    def _mirror(self, prompt: Prompt, result: KeyResult) -> None:
        if self.shared is None:
            return
        try:
            self.shared.store_keys(prompt, result)
        except Exception as exc:
            log.error("could not show a key on screen: %s", type(exc).__name__)

    def _on_key(
        self, prompt: Prompt, result: KeyResult, pending: _Pending | None
    ) -> tuple[Answer | Event | None, _Pending | None]:
        lang = prompt.language
        action = result.action
        if action is Action.ANSWER:
            if pending is None:
                return Answer(result.value, source="keypad"), None
            if result.value:
                return Answer(pending.value, source="voice"), None
            self._say(_joined(lang, t("voice.heard.again", lang), self._script(prompt)), lang)
            return None, None
        if action is Action.EVENT:
            return result.value, pending
        if action is Action.TYPED and prompt.input is not None and prompt.input.secret:
            self._tone()  # a secret is never spoken, not even its length: a beep per key
        elif action is Action.TYPED:
            self._say(self._echo(prompt, result.state.typed, result.char), lang)
        elif action is Action.DELETED:
            text = t("voice.keys.deleted", lang, count=len(result.state.typed))
            self._say(text if result.state.typed else t("voice.keys.cleared", lang), lang)
        elif action is Action.FOCUS and result.option is not None:
            option = result.option
            self._say(t("voice.option", lang, number=option.key, label=option.say), lang)
        elif action is Action.FOCUS:
            self._say(t("voice.keys.focus_continue", lang), lang)
        elif action is Action.REPEAT:
            self._repeat(prompt, pending)
        elif action in (Action.VOLUME_UP, Action.VOLUME_DOWN):
            up = action is Action.VOLUME_UP
            now = self._clock()
            if self._last_repeat is not None and now - self._last_repeat <= REPEAT_WINDOW:
                # REPEAT then +/-: the speed of speech rather than its volume.
                self._last_repeat = now  # so +/- can be pressed again to go on adjusting
                self.speaker.change_rate(RATE_STEP if up else -RATE_STEP)
                self._say(t("voice.keys.faster" if up else "voice.keys.slower", lang), lang)
            else:
                volume = self.speaker.change_volume(VOLUME_STEP if up else -VOLUME_STEP)
                self._say(t("voice.keys.volume", lang, percent=round(volume * 100)), lang)
        elif action is Action.INVALID:
            self._say(t(result.reason, lang), lang)
        return None, pending

    def _repeat(self, prompt: Prompt, pending: _Pending | None) -> None:
        now = self._clock()
        if self._last_repeat is not None and now - self._last_repeat <= REPEAT_WINDOW:
            self.speaker.change_rate(SLOWER)
            self._last_repeat = None  # a third press starts a new pair
        else:
            self._last_repeat = now
        if pending is not None:
            self._say(
                t("voice.heard.you_said", prompt.language, answer=pending.said), prompt.language
            )
        else:
            self._say(self._script(prompt), prompt.language)

    def _echo(self, prompt: Prompt, typed: str, char: str) -> str:
        """How a typed character is echoed: secrets by count, personal data masked aloud."""
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

    # Speech recognition ---------------------------------------------------------------------

    def _on_speech(
        self, prompt: Prompt, heard: Recognition, pending: _Pending | None
    ) -> tuple[Answer | Event | None, _Pending | None]:
        lang = prompt.language
        if not heard.text.strip():
            return None, pending
        if pending is None and prompt.kind is PromptKind.INPUT:
            return self._on_spoken_input(prompt, heard)
        meaning = meaning_of(heard, grammar(prompt, confirming=pending is not None))
        if meaning is None:
            self._say(t("voice.heard.not_understood", lang), lang)
            return None, pending
        if meaning.kind == "event":
            return meaning.value, pending
        if meaning.kind == "repeat":
            self._repeat(prompt, pending)
            return None, pending
        if pending is not None:
            if meaning.kind == "yes":
                return Answer(pending.value, source="voice"), None
            self._say(_joined(lang, t("voice.heard.again", lang), self._script(prompt)), lang)
            return None, None
        if prompt.kind in (PromptKind.CONFIRM, PromptKind.CONSENT):
            return None, self._confirm(prompt, meaning.value, meaning.label)
        return Answer(meaning.value, source="voice"), None

    def _on_spoken_input(
        self, prompt: Prompt, heard: Recognition
    ) -> tuple[Answer | Event | None, _Pending | None]:
        lang = prompt.language
        said = normalise(heard.text)
        commands: dict[str, Meaning] = {}

        def add(phrase: str, meaning: Meaning) -> None:
            commands.setdefault(phrase, meaning)

        _add_commands(prompt, add)
        for phrase, meaning in commands.items():
            if normalise(phrase) == said:
                if meaning.kind == "repeat":
                    self._repeat(prompt, None)
                    return None, None
                return meaning.value, None
        rules = prompt.input
        input_type = rules.input_type if rules is not None else InputType.TEXT
        typed = typed_from_speech(heard.text, input_type)
        if not typed:
            self._say(t("voice.heard.not_understood", lang), lang)
            return None, None
        return None, self._confirm(prompt, typed, self._readback(prompt, typed))

    def _readback(self, prompt: Prompt, typed: str) -> str:
        """Typed input as read back: personal numbers masked unless private, digits spaced."""
        rules = prompt.input
        if rules is not None and rules.personal and not self._private():
            typed = mask_phone(typed) if rules.input_type is InputType.PHONE else mask_id(typed)
        if rules is not None and rules.typing.numeric:
            return " ".join(typed)
        return typed

    def _confirm(self, prompt: Prompt, value: Any, said: str) -> _Pending:
        lang = prompt.language
        self._say(t("voice.heard.you_said", lang, answer=said), lang)
        return _Pending(value, said)

    def _listen(self, prompt: Prompt, *, confirming: bool) -> _Listening | None:
        if self.recognizer is None or (prompt.input is not None and prompt.input.secret):
            return None
        phrases = list(grammar(prompt, confirming=confirming))
        stop = threading.Event()
        recognizer = self.recognizer
        speaker = self.speaker

        def barge_in(partial: str) -> None:
            if partial.strip() and not stop.is_set():
                speaker.stop()

        def listen() -> Recognition | None:
            if stop.is_set():
                return Recognition("")
            try:
                return recognizer.listen(phrases, self.listen_window, barge_in)
            except PeripheralError as exc:
                log.warning("speech recognition failed: %s", exc.code)
                return None

        return _Listening(asyncio.ensure_future(asyncio.to_thread(listen)), stop)

    async def _stop_listening(self, listening: _Listening) -> None:
        """Stop the recogniser and wait for its thread, so it cannot take the next answer."""
        listening.stop.set()
        recognizer = self.recognizer
        if recognizer is None:
            return
        deadline = time.monotonic() + STOP_WAIT
        while not listening.task.done() and time.monotonic() < deadline:
            # `listen` clears the cancel flag when it starts: cancel until it has really ended.
            recognizer.cancel()
            await asyncio.wait({listening.task}, timeout=0.05)
        if not listening.task.done():
            log.warning("%s did not stop listening", recognizer.name)
            return
        with contextlib.suppress(Exception):
            listening.task.result()

    # Speech ---------------------------------------------------------------------------------

    def _script(self, prompt: Prompt) -> str:
        return spoken(prompt, private=self._private())

    def _route(self) -> Route:
        return Route.HEADSET if self._private() else Route.LOUDSPEAKER

    def _say(self, text: str, language: str) -> None:
        """Queue speech after what is being said, sentence by sentence."""
        parts = sentences(text) if self.by_sentence else [text]
        route = self._route()
        try:
            for part in parts:
                self.speaker.speak(part, language, route=route)
        except PeripheralError as exc:
            log.warning("cannot speak: %s", exc.code)

    def _tone(self) -> None:
        try:
            self.speaker.tone(route=self._route())
        except PeripheralError as exc:
            log.warning("cannot beep: %s", exc.code)

    def _stop_speech(self) -> None:
        with contextlib.suppress(PeripheralError):
            self.speaker.stop()

    async def _until_spoken(self, prompt: Prompt) -> None:
        """Wait until the speech is done; a key cuts it short (REPEAT and volume keys act)."""
        while True:
            stop = threading.Event()
            idle = asyncio.ensure_future(asyncio.to_thread(_wait_idle, self.speaker, stop))
            key_task = asyncio.ensure_future(self.keys.get())
            try:
                done, _ = await asyncio.wait({idle, key_task}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stop.set()
                key_task.cancel()
                await asyncio.wait({idle})
            if key_task in done and not key_task.cancelled():
                self._stop_speech()
                result = press(prompt, KeyState(), key_task.result())
                if result.action in (Action.REPEAT, Action.VOLUME_UP, Action.VOLUME_DOWN):
                    self._on_key(prompt, result, None)
                    continue
            return


@dataclass
class _Listening:
    """One `listen` call on a worker thread, and the flag that abandons it."""

    task: asyncio.Future[Recognition | None]
    stop: threading.Event


def _joined(lang: str, *parts: str) -> str:
    """Sentences joined as the script joins them (no space in Chinese)."""
    return ("" if lang == "zh_CN" else " ").join(p for p in parts if p)


def _wait_idle(speaker: SpeechOutput, stop: threading.Event) -> bool:
    """Wait (on a worker thread) until the speaker is idle or `stop` is set."""
    while not stop.is_set():
        if speaker.wait_idle(0.05):
            return True
    return False
