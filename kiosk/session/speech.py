"""What recognised speech means on a prompt: its grammar, and numbers said digit by digit.

The recogniser listens with the prompt's own grammar: the options' labels and keypad numbers
(also as words: "一", "two"), the yes/no words of confirm and consent prompts, and the commands
back, cancel, help and repeat (`voice.words.*` in `locales/`). Input prompts are recognised
free-form; numbers said digit by digit are typed.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.flow.inputs import POINT, TYPING, InputType, X
from kiosk.flow.prompt import Event, Prompt, PromptKind
from kiosk.i18n import t
from kiosk.privacy.masking import mask_id, mask_phone
from peripherals.recognizer.base import Recognition
from peripherals.recognizer.matching import normalise

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


class Means(enum.StrEnum):
    """The kinds of meaning a phrase has."""

    ANSWER = "answer"
    """An option (`value`, read back as `label`)."""
    EVENT = "event"
    """Back, cancel or help (`value` is the `Event`)."""
    YES = "yes"
    NO = "no"
    REPEAT = "repeat"


@dataclass(frozen=True)
class Meaning:
    """What a recognised phrase means on a prompt."""

    kind: Means
    value: Any = None
    label: str = ""


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
            add(word, Meaning(Means.YES))
        for word in words("no", lang):
            add(word, Meaning(Means.NO))
    elif prompt.kind not in (PromptKind.INPUT,):
        numbers = words("numbers", lang)
        for option in prompt.options:
            meaning = Meaning(Means.ANSWER, option.value, option.say or option.label)
            add(option.say or option.label, meaning)
            add(option.label, meaning)
            add(str(option.key), meaning)
            if 0 < option.key <= len(numbers):
                add(numbers[option.key - 1], meaning)
        if prompt.kind in (PromptKind.CONFIRM, PromptKind.CONSENT) and len(prompt.options) >= 2:
            yes, no = prompt.options[0], prompt.options[1]
            for word in words("yes", lang):
                add(word, Meaning(Means.ANSWER, yes.value, yes.say or yes.label))
            for word in words("no", lang):
                add(word, Meaning(Means.ANSWER, no.value, no.say or no.label))
    else:
        return {}
    _add_commands(prompt, add)
    return meanings


def phrases(prompt: Prompt) -> dict[str, Meaning]:
    """A text input's common phrases by number ("1", "一", "one") and by their own words."""
    numbers = words("numbers", prompt.language)
    found: dict[str, Meaning] = {}
    for option in prompt.options:
        meaning = Meaning(Means.ANSWER, option.value, option.say or option.label)
        said = [str(option.key), option.label]
        if 0 < option.key <= len(numbers):
            said.append(numbers[option.key - 1])
        for phrase in said:
            found.setdefault(phrase, meaning)
    return found


def commands(prompt: Prompt) -> dict[str, Meaning]:
    """The commands understood on every prompt: back (when possible), cancel, help, repeat."""
    found: dict[str, Meaning] = {}

    def add(phrase: str, meaning: Meaning) -> None:
        found.setdefault(phrase, meaning)

    _add_commands(prompt, add)
    return found


def _add_commands(prompt: Prompt, add: Callable[[str, Meaning], None]) -> None:
    lang = prompt.language
    if prompt.can_go_back:
        for word in words("back", lang):
            add(word, Meaning(Means.EVENT, Event.BACK))
    for word in words("cancel", lang):
        add(word, Meaning(Means.EVENT, Event.CANCEL))
    for word in words("help", lang):
        add(word, Meaning(Means.EVENT, Event.HELP))
    for word in words("repeat", lang):
        add(word, Meaning(Means.REPEAT))


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


def readback(prompt: Prompt, typed: str, *, private: bool) -> str:
    """Typed input as read back: personal numbers masked unless private (the voice says the
    masked digits in words), other numbers digit by digit."""
    rules = prompt.input
    if rules is not None and rules.personal and not private:
        return mask_phone(typed) if rules.input_type is InputType.PHONE else mask_id(typed)
    if rules is not None and rules.typing.numeric:
        return " ".join(typed)
    return typed
