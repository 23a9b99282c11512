"""What a voice user hears for a prompt: pure text composition, no audio devices.

The spoken script is built from the prompt alone, in the prompt's language: where the resident
is, any error, the prompt's voice text, the options with their keypad numbers, the review rows,
how to type an input (or a scan's code instead), and how to go back, repeat or get help. Review
rows are spoken masked unless the speech is private (headset); secrets are never spoken.
"""

from __future__ import annotations

import re

from kiosk.flow.prompt import Prompt, PromptKind
from kiosk.i18n import t
from kiosk.privacy.personal import conceal
from kiosk.voice.speakable import speakable

_END = {"zh_CN": "。", "en": "."}
_JOIN = {"zh_CN": "", "en": " "}
_CJK_GAP = re.compile(r"(?<=[。！？；：，、])\s+")
_STOPS = ("。", "！", "？", ".", "!", "?", "；", ";", "：", ":")
_PAUSES = (*_STOPS, "，", ",", "、", "…")
"""What a spoken line may end with already; any other end gets a full stop."""


def _sentence(text: str, lang: str) -> str:
    text = " ".join(text.split())
    if lang == "zh_CN":
        # Chinese needs no spaces after its own punctuation; a speech engine would pause twice.
        text = _CJK_GAP.sub("", text)
    if not text:
        return ""
    return text if text.endswith(_PAUSES) else text + _END.get(lang, ".")


def options(prompt: Prompt) -> str:
    """The options as "按1，个人参保证明；按2，缴费明细" / "Press 1 for ..., press 2 for ..."."""
    lang = prompt.language
    phrases = [
        # a label that is a sentence ("夜间噪音扰民。") must not end in two stops once joined
        t("voice.option", lang, number=o.key, label=(o.say or o.label).rstrip("".join(_STOPS)))
        for o in prompt.options
    ]
    if lang == "en":
        phrases = [phrases[0], *(p[:1].lower() + p[1:] for p in phrases[1:])]
    return t("voice.option_separator", lang).join(phrases)


def rows(prompt: Prompt, *, private: bool = False) -> str:
    """The review rows; personal values masked unless `private`."""
    lang = prompt.language
    secret = prompt.input is not None and prompt.input.secret
    spoken = []
    for row in prompt.rows:
        value = row.value if private and not secret else row.shown
        spoken.append(t("voice.row", lang, label=row.label, value=value))
    return t("voice.row_separator", lang).join(spoken)


def navigation(prompt: Prompt, *, always: bool = False) -> list[str]:
    """How to go back, repeat and get help (waiting prompts only, unless `always`)."""
    if not always and (not prompt.waits or prompt.kind in (PromptKind.RESULT, PromptKind.ERROR)):
        return []
    lang = prompt.language
    phrases = []
    if prompt.can_go_back:
        phrases.append(t("voice.navigation.back", lang))
    phrases.append(t("voice.navigation.repeat", lang))
    phrases.append(t("voice.navigation.help", lang))
    if prompt.hints:  # help was asked for: the keys that do what the screen's bar does, too
        phrases.append(t("voice.navigation.keys", lang))
    return phrases


def spoken(prompt: Prompt, *, private: bool = False, title: bool = True, hints: bool = True) -> str:
    """Exactly what a voice user hears for `prompt`, in the prompt's language.

    `title` says where the resident is first; `hints` ends with how to go back, repeat and get
    help (a `Narrator` says both only when the resident needs them).
    """
    lang = prompt.language
    parts: list[str] = []
    if title and prompt.title and prompt.kind not in (PromptKind.BUSY,):
        parts.append(t("voice.you_are_at", lang, title=prompt.title))
    say = prompt.say_private if private and prompt.say_private else prompt.say
    if prompt.error_text and prompt.error_text != prompt.say:
        parts.append(prompt.error_text)
    if say:
        parts.extend(say.splitlines())  # each line shown is said as a sentence of its own
    if prompt.rows:
        parts.append(rows(prompt, private=private))
    if prompt.options:
        parts.append(options(prompt))
    if prompt.input is not None:
        how = prompt.input.input_type.value
        if prompt.options:  # a text input's common phrases, picked by number
            how = f"{how}_phrases"
        parts.append(t(f"voice.input.{how}", lang))
    elif prompt.typing is not None and any(char.isdigit() for char in prompt.typing.characters):
        parts.append(t("voice.input.code", lang))  # a scan's code typed at the keypad instead
    if hints or prompt.hints:
        parts.extend(navigation(prompt, always=prompt.hints))
    script = _JOIN.get(lang, " ").join(s for s in (_sentence(p, lang) for p in parts) if s)
    # On the loudspeaker, a live session's values stay masked however the parts spell them.
    return speakable(script if private else conceal(script), lang)


class Narrator:
    """What one resident hears, prompt after prompt: the service's name when it begins, the key
    hints once a session and whenever asked for (REPEAT, help), not before every question."""

    def __init__(self) -> None:
        self.title: str | None = None
        self.hinted = False

    def say(self, prompt: Prompt, *, private: bool = False, again: bool = False) -> str:
        """The script for `prompt`; `again` when the resident asked to hear it again."""
        title = again or (bool(prompt.title) and prompt.title != self.title)
        hints = again or (not self.hinted and prompt.waits)
        if prompt.title and prompt.kind is not PromptKind.BUSY:
            self.title = prompt.title
        if hints and navigation(prompt):
            self.hinted = True
        return spoken(prompt, private=private, title=title, hints=hints)

    def reset(self) -> None:
        """A new resident: say everything once again."""
        self.title, self.hinted = None, False
