"""The tactile keypad map: what each key means on each kind of prompt (pure, no devices).

| Prompt kind         | Digits         | ENTER             | CLEAR                  | STAR / HASH  |
|---------------------|----------------|-------------------|------------------------|--------------|
| choose, menu, page  | pick option N  | pick focused      | back                   | focus -1/+1  |
| confirm             | 1 yes, 2 no    | focused, else yes | back                   | focus -1/+1  |
| consent             | 1 yes, 2 no    | focused only      | back                   | focus -1/+1  |
| input, device_wait  | type the digit | submit typed text | delete last, else back | STAR: X, `.` |
| scan (a code typed) | type the digit | submit typed text | delete last, else back | —            |
| text input, phrases | type phrase N  | submit typed text | clear, else back       | —            |
| info, result, error | continue       | continue          | back                   | focus it     |

Focus wraps at both ends, so it is never trapped; on confirm it starts on "yes" (what ENTER
answers), so the first HASH moves it to "no". Consent is never given by a reflexive ENTER: the
resident presses 1, or moves focus to "agree" first. What a typed key does (X only as the 18th
character of an ID number, one point and two decimals in an amount, the length limit) is
`kiosk.flow.inputs.type_key`, the rule the screen's keypad follows too; on a scan, the digits
the code's pattern allows, up to its length (`kiosk.flow.code_typing.type_code`, the rule of the
screen's code keyboard).

Everywhere: REPEAT repeats the prompt (twice quickly: slower speech), PLUS/MINUS change the
volume (right after REPEAT: the speed, faster or slower), VOICE pauses speech (pressed again:
resumes; when silent: repeats), HELP asks for help, CANCEL cancels; LANGUAGE, ELDER, CONTRAST
and STAFF do what the screen's bar does (switch language, large text, high contrast, call
staff), on keypads that have them or where the driver's keymap gives them a key. While a
voice answer waits to be confirmed (`press_confirming`): 1 or ENTER confirms it, 2 or CLEAR
drops it. The renderer stops
current speech before acting on any key; this module only decides what the key means, and
`kiosk.session.core` acts on it, whichever renderers are attached.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any

from kiosk.flow.code_typing import type_code
from kiosk.flow.inputs import InputRules, InputType, is_full, type_key
from kiosk.flow.prompt import Event, Prompt, PromptKind, PromptOption
from peripherals.keypad.keys import Key


class Action(enum.StrEnum):
    """What a key press did."""

    ANSWER = "answer"
    """The prompt is answered with `value`."""
    EVENT = "event"
    """The resident went back, cancelled or asked for help (`value` is the `Event`)."""
    TYPED = "typed"
    """`char` was appended to the typed text."""
    DELETED = "deleted"
    """The last typed character was removed."""
    FOCUS = "focus"
    """Focus moved to `option`."""
    REPEAT = "repeat"
    """Say the prompt again."""
    VOLUME_UP = "volume_up"
    """Louder."""
    VOLUME_DOWN = "volume_down"
    """Softer."""
    INVALID = "invalid"
    """The key means nothing here; `reason` says why (a `voice.keys.*` text key)."""
    LANGUAGE = "language"
    """Switch the language (the bar's language button)."""
    ELDER = "elder"
    """Elder mode on or off."""
    CONTRAST = "contrast"
    """High contrast on or off."""
    STAFF = "staff"
    """Call staff (人工服务)."""


BAR_KEYS: dict[Key, Action] = {
    Key.LANGUAGE: Action.LANGUAGE,
    Key.ELDER: Action.ELDER,
    Key.CONTRAST: Action.CONTRAST,
    Key.STAFF: Action.STAFF,
}
"""Keys that do what the screen's bar does, on every screen (a keypad may lack them: its
driver's `keymap` maps them to whatever physical keys the installer chooses)."""


@dataclass(frozen=True)
class KeyState:
    """What the keys have done so far on the current prompt (or what the screen shows of it)."""

    typed: str = ""
    focus: int | None = None
    """Index into the prompt's options of the focused one, if any."""


@dataclass(frozen=True)
class KeyResult:
    """The meaning of one key press and the state after it."""

    action: Action
    state: KeyState
    value: Any = None
    char: str = ""
    option: PromptOption | None = None
    reason: str = ""


DIGITS = {Key(str(d)): str(d) for d in range(10)}
"""The digit keys and the characters they type."""

_DEVICE_CODE = InputRules(InputType.DIGITS)
"""What a device prompt types into (a code read aloud instead of scanned, say)."""

_CONTINUE = (PromptKind.INFO, PromptKind.RESULT, PromptKind.ERROR, PromptKind.BUSY)
_TYPING = (PromptKind.INPUT, PromptKind.DEVICE_WAIT)


def press(prompt: Prompt, state: KeyState, key: Key) -> KeyResult:
    """What `key` means on `prompt` given what was pressed before (`state`)."""
    common = _common(state, key)
    if common is not None:
        return common
    if prompt.kind in _TYPING:
        return _typing(prompt, state, key)
    if prompt.kind in _CONTINUE:
        if key is Key.ENTER or key in DIGITS:
            value = prompt.options[0].value if prompt.options else "continue"
            return KeyResult(Action.ANSWER, state, value=value)
        if key in (Key.HASH, Key.STAR):
            # The one control there is: focus lands on it and stays (nowhere else to go).
            option = prompt.options[0] if prompt.options else None
            return KeyResult(Action.FOCUS, replace(state, focus=0), option=option)
        return _back_or_invalid(prompt, state, key)
    return _choosing(prompt, state, key)


def press_confirming(state: KeyState, key: Key) -> KeyResult:
    """What `key` means while a recognised answer waits for confirmation (1 yes, 2 no)."""
    common = _common(state, key)
    if common is not None:
        return common
    if key in (Key.DIGIT_1, Key.ENTER):
        return KeyResult(Action.ANSWER, state, value=True)
    if key in (Key.DIGIT_2, Key.CLEAR):
        return KeyResult(Action.ANSWER, state, value=False)
    return KeyResult(Action.INVALID, state, reason="voice.keys.confirm_or_not")


def _common(state: KeyState, key: Key) -> KeyResult | None:
    if key in BAR_KEYS:
        return KeyResult(BAR_KEYS[key], state)
    if key in (Key.REPEAT, Key.VOICE):
        return KeyResult(Action.REPEAT, state)
    if key is Key.PLUS:
        return KeyResult(Action.VOLUME_UP, state)
    if key is Key.MINUS:
        return KeyResult(Action.VOLUME_DOWN, state)
    if key is Key.HELP:
        return KeyResult(Action.EVENT, state, value=Event.HELP)
    if key is Key.CANCEL:
        return KeyResult(Action.EVENT, state, value=Event.CANCEL)
    return None


def _back_or_invalid(prompt: Prompt, state: KeyState, key: Key) -> KeyResult:
    if key is Key.CLEAR:
        if prompt.can_go_back:
            return KeyResult(Action.EVENT, state, value=Event.BACK)
        return KeyResult(Action.INVALID, state, reason="voice.keys.no_back")
    return KeyResult(Action.INVALID, state, reason="voice.keys.invalid")


def _choosing(prompt: Prompt, state: KeyState, key: Key) -> KeyResult:
    options = prompt.options
    if key in DIGITS:
        for option in options:
            if str(option.key) == DIGITS[key]:
                return KeyResult(Action.ANSWER, state, value=option.value, option=option)
        return KeyResult(Action.INVALID, state, reason="voice.keys.no_such_option")
    if key in (Key.HASH, Key.STAR) and options:
        step = 1 if key is Key.HASH else -1
        current = state.focus
        if current is None and prompt.kind is PromptKind.CONFIRM:
            current = 0  # ENTER already answers "yes": that is where focus is
        if current is None:
            focus = 0 if step == 1 else len(options) - 1
        else:
            # Wrap around: focus never gets trapped at either end.
            focus = (current + step) % len(options)
        return KeyResult(Action.FOCUS, replace(state, focus=focus), option=options[focus])
    if key is Key.ENTER:
        if state.focus is not None and state.focus < len(options):
            option = options[state.focus]
            return KeyResult(Action.ANSWER, state, value=option.value, option=option)
        if prompt.kind is PromptKind.CONFIRM:
            yes = options[0] if options else None
            return KeyResult(Action.ANSWER, state, value=yes.value if yes else "yes", option=yes)
        return KeyResult(Action.INVALID, state, reason="voice.keys.choose_first")
    return _back_or_invalid(prompt, state, key)


def _phrase(prompt: Prompt, state: KeyState, key: Key) -> KeyResult | None:
    """A text input's common phrases: a digit types phrase N, CLEAR takes the phrase away."""
    if key in DIGITS:
        for option in prompt.options:
            if str(option.key) == DIGITS[key]:
                picked = replace(state, typed=option.value)
                return KeyResult(Action.TYPED, picked, char=option.value, option=option)
        return KeyResult(Action.INVALID, state, reason="voice.keys.no_such_option")
    if key is Key.CLEAR and state.typed:
        return KeyResult(Action.DELETED, replace(state, typed=""), char=state.typed)
    return None


def _typing(prompt: Prompt, state: KeyState, key: Key) -> KeyResult:
    if prompt.kind is PromptKind.INPUT and prompt.options:
        phrase = _phrase(prompt, state, key)
        if phrase is not None:
            return phrase
    typed = state.typed
    rules = prompt.input or _DEVICE_CODE
    code = prompt.typing if prompt.kind is PromptKind.DEVICE_WAIT else None
    # STAR is the numeric keypad's extra key: X for ID numbers, the point for amounts
    extra = rules.typing.extra_key if code is None else None
    char = extra if key is Key.STAR else DIGITS.get(key)
    if char is not None:
        full = is_full(rules, typed) if code is None else len(typed) >= code.max_length
        if full:
            return KeyResult(Action.INVALID, state, reason="voice.keys.full")
        after = type_key(rules, typed, char) if code is None else type_code(code, typed, char)
        if after is None:
            return KeyResult(Action.INVALID, state, reason="voice.keys.invalid")
        return KeyResult(Action.TYPED, replace(state, typed=after), char=char)
    if key is Key.STAR:
        return KeyResult(Action.INVALID, state, reason="voice.keys.invalid")
    if key is Key.CLEAR:
        if typed:
            return KeyResult(Action.DELETED, replace(state, typed=typed[:-1]), char=typed[-1])
        return _back_or_invalid(prompt, state, key)
    if key is Key.ENTER:
        if prompt.kind is PromptKind.DEVICE_WAIT and not typed:
            return KeyResult(Action.INVALID, state, reason="voice.keys.invalid")
        return KeyResult(Action.ANSWER, state, value=typed)
    return KeyResult(Action.INVALID, state, reason="voice.keys.invalid")
